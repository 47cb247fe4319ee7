"""`mlops build --push` against a fake registry on 127.0.0.1, through a real Docker daemon."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.commands import run_env
from tests.helpers.registry_fake import FakeRegistry

USER, PASSWORD = "mlops-ci", "pa55-w0rd-never-printed"


def _docker_or_skip() -> None:
    import docker
    from docker.errors import DockerException

    try:
        docker.from_env().ping()
    except DockerException as error:
        message = f"NO DOCKER DAEMON ({error}): `mlops build --push` test NOT RUN"
        print(f"\n{'!' * 20} {message}")
        pytest.skip(message)


def _spec(registry: FakeRegistry) -> str:
    return f"""\
apiVersion: mlops-gitops/v1
kind: Deployment
metadata:
  name: lin-api
spec:
  model: {{experiment: lin-a}}
  runtime: local
  port: 8080
  image:
    registry: "{registry.host}/team"
    usernameEnv: MLOPS_REG_USER
    passwordEnv: MLOPS_REG_PASSWORD
"""


def _build_push(repo: Path, password: str) -> subprocess.CompletedProcess[str]:
    base = os.environ.get("MLOPS_BASE_IMAGE", "mlops-gitops/python-base:bookworm")
    env = {**run_env(), "MLOPS_REG_USER": USER, "MLOPS_REG_PASSWORD": password}
    argv = [sys.executable, "-m", "mlops_gitops", "build", "lin-api", "--push"]
    argv += ["--base-image", base]
    return subprocess.run(argv, cwd=repo, capture_output=True, text=True, env=env, check=False)


def _untag_all(repository: str) -> None:
    """Remove the daemon's tags of ``repository`` (each test's registry has its own port)."""
    import docker
    from docker.errors import DockerException

    try:
        client = docker.from_env()
        for image in client.images.list(repository):
            for tag in image.tags:
                client.images.remove(tag, noprune=True)
    except DockerException:
        pass


@pytest.fixture
def registry() -> Iterator[FakeRegistry]:
    with FakeRegistry(username=USER, password=PASSWORD) as fake:
        yield fake


@pytest.fixture
def docker_registry(registry: FakeRegistry) -> Iterator[FakeRegistry]:
    """The registry, when a Docker daemon answers (else a loud skip); untags what was built."""
    _docker_or_skip()
    yield registry
    _untag_all(f"{registry.host}/team/lin-api")


@pytest.mark.slow
@pytest.mark.docker
def test_build_push_uploads_the_image_with_the_specs_credentials(
    repo: Path, docker_registry: FakeRegistry
) -> None:
    registry = docker_registry
    (repo / "specs/deployment.yaml").write_text(_spec(registry))
    done = _build_push(repo, PASSWORD)
    output = done.stdout + done.stderr
    image = done.stdout.strip().rpartition(" ")[0].rpartition(" ")[2]
    assert done.returncode == 0, output
    assert done.stdout.strip().endswith("(pushed)"), output
    repository, _, tag = image.rpartition(":")
    assert repository == f"{registry.host}/team/lin-api" and len(tag) == 16
    assert registry.repositories() == ["team/lin-api"]
    stored = registry.manifest("team/lin-api", tag)
    assert stored is not None, registry.tags("team/lin-api")
    manifest = stored.json()
    # every blob the manifest names was uploaded (the fake checked each one's sha256)
    digests = [manifest["config"]["digest"], *(layer["digest"] for layer in manifest["layers"])]
    assert set(digests) <= registry.blob_digests("team/lin-api")
    config = json.loads(registry.blob(manifest["config"]["digest"]) or b"{}")
    assert config["config"]["Labels"]["mlops-gitops.deployment"] == "lin-api"
    # the first request is the unauthenticated ping; every later one carries the credentials
    requests = registry.requests
    assert requests[0].status == 401 and requests[0].authorization is None
    assert [r for r in requests[1:] if r.authorization != registry.basic_auth] == []
    assert any(r.method == "PUT" and "/manifests/" in r.path for r in requests)
    assert PASSWORD not in output
    assert base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode() not in output


@pytest.mark.slow
@pytest.mark.docker
def test_build_push_with_a_wrong_password_is_a_message_naming_the_registry(
    repo: Path, docker_registry: FakeRegistry
) -> None:
    registry = docker_registry
    (repo / "specs/deployment.yaml").write_text(_spec(registry))
    wrong = "not-the-password-either"
    done = _build_push(repo, wrong)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output
    assert registry.host in done.stderr and "push" in done.stderr, output
    assert wrong not in output
    assert registry.repositories() == []
    assert registry.requests and all(r.status == 401 for r in registry.requests)


# The fake itself, without Docker: the same calls `docker push` makes, over plain HTTP.


def _call(
    registry: FakeRegistry,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    *,
    auth: bool = True,
) -> tuple[int, dict[str, str], bytes]:
    url = path if path.startswith("http") else registry.url + path
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    if auth and registry.basic_auth:
        request.add_header("Authorization", registry.basic_auth)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_fake_registry_speaks_the_push_protocol(registry: FakeRegistry) -> None:
    status, headers, _ = _call(registry, "GET", "/v2/", auth=False)
    assert status == 401 and headers["WWW-Authenticate"] == 'Basic realm="fake"'
    assert _call(registry, "GET", "/v2/")[0] == 200

    layer = b"layer bytes " * 1000
    digest = "sha256:" + hashlib.sha256(layer).hexdigest()
    assert _call(registry, "HEAD", f"/v2/team/app/blobs/{digest}")[0] == 404
    status, headers, _ = _call(
        registry, "POST", f"/v2/team/app/blobs/uploads/?mount={digest}&from=other", b""
    )
    assert status == 202 and headers["Docker-Upload-UUID"]
    status, headers, _ = _call(registry, "PATCH", headers["Location"], layer[:5000])
    assert status == 202 and headers["Range"] == "0-4999"
    status, headers, _ = _call(registry, "PATCH", headers["Location"], layer[5000:])
    bad = _call(registry, "PUT", headers["Location"] + "?digest=sha256:" + "0" * 64, b"")
    assert bad[0] == 400 and b"DIGEST_INVALID" in bad[2]

    status, headers, _ = _call(registry, "POST", "/v2/team/app/blobs/uploads/", b"")
    _call(registry, "PATCH", headers["Location"], layer)
    status, headers, _ = _call(registry, "PUT", f"{headers['Location']}?digest={digest}", b"")
    assert status == 201 and headers["Docker-Content-Digest"] == digest
    status, headers, _ = _call(registry, "HEAD", f"/v2/team/app/blobs/{digest}")
    assert status == 200 and headers["Content-Length"] == str(len(layer))

    config = b"{}"
    config_digest = "sha256:" + hashlib.sha256(config).hexdigest()
    status, _, _ = _call(
        registry, "POST", f"/v2/team/app/blobs/uploads/?digest={config_digest}", config
    )
    assert status == 201
    media = "application/vnd.docker.distribution.manifest.v2+json"
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": media,
            "config": {"digest": config_digest, "size": 2},
            "layers": [{"digest": digest, "size": len(layer)}],
        }
    ).encode()
    typed = {"Content-Type": media}
    status, headers, _ = _call(registry, "PUT", "/v2/team/app/manifests/v1", manifest, typed)
    manifest_digest = "sha256:" + hashlib.sha256(manifest).hexdigest()
    assert status == 201 and headers["Docker-Content-Digest"] == manifest_digest
    status, headers, data = _call(registry, "GET", "/v2/team/app/manifests/v1")
    assert (status, headers["Content-Type"], data) == (200, media, manifest)
    assert _call(registry, "HEAD", f"/v2/team/app/manifests/{manifest_digest}")[0] == 200
    unknown = manifest.replace(digest.encode(), b"sha256:" + b"1" * 64)
    status, _, data = _call(registry, "PUT", "/v2/team/app/manifests/v2", unknown, typed)
    assert status == 400 and b"MANIFEST_BLOB_UNKNOWN" in data
    assert registry.tags("team/app") == {"v1": manifest_digest}
    assert _call(registry, "GET", "/v2/team/app/manifests/v1", auth=False)[0] == 401
    assert [r.authorization for r in registry.requests[1:-1]] == [registry.basic_auth] * (
        len(registry.requests) - 2
    )
