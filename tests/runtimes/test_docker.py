"""The docker runtime against a real daemon: the image is built FROM the local debootstrap base,
runs with host networking, answers over HTTP, and a new model replaces replicas one at a time.

Start a daemon and the base image with ``eval "$(bash .ci/docker.sh up)" && bash .ci/docker.sh
base-image``. These tests skip only when no daemon answers (loudly); CI starts one.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mlops_gitops.errors import RuntimeBackendError
from mlops_gitops.runtimes.build import LABEL_DEPLOYMENT, LABEL_PORT, LABEL_REPLICA, build_image
from mlops_gitops.runtimes.docker import DockerRuntime, replica_ports
from tests.helpers.ports import free_port
from tests.runtimes.foreign import foreign_argv, foreign_server
from tests.runtimes.models import SAMPLE, deployment, train_model

pytestmark = pytest.mark.docker
BASE_IMAGE = os.environ.get("MLOPS_BASE_IMAGE", "mlops-gitops/python-base:bookworm")


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    import docker
    from docker.errors import DockerException, ImageNotFound

    try:
        client = docker.from_env()
        client.ping()
    except DockerException as error:
        where = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
        message = (
            f"NO DOCKER DAEMON at {where} ({error}): docker runtime tests NOT RUN. "
            'Start one: eval "$(bash .ci/docker.sh up)"'
        )
        print(f"\n{'!' * 20} {message}")
        pytest.skip(message)
    try:
        client.images.get(BASE_IMAGE)
    except ImageNotFound:
        pytest.fail(f"base image {BASE_IMAGE} is missing: run `bash .ci/docker.sh base-image`")
    yield client
    client.close()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("docker-project")
    train_model(root)
    return root


@pytest.fixture(scope="module")
def spec(client: Any) -> Any:
    return deployment(name=f"iris-docker-{os.getpid()}", port=free_port(4), replicas=2)


@pytest.fixture(scope="module")
def runtime(project: Path, spec: Any, client: Any) -> Iterator[DockerRuntime]:
    runtime = DockerRuntime(project, base_image=BASE_IMAGE)
    yield runtime
    runtime.undeploy(spec)


def predict(url: str) -> list[Any]:
    body = json.dumps({"instances": [SAMPLE]}).encode()
    request = urllib.request.Request(
        f"{url}/predict", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        predictions: list[Any] = json.loads(response.read())["predictions"]
    return predictions


def test_image_is_built_once_runs_as_non_root_and_has_a_healthcheck(
    client: Any, project: Path, spec: Any
) -> None:
    first = build_image(project, spec, base_image=BASE_IMAGE, log=lambda line: None)
    started = time.monotonic()
    second = build_image(project, spec, base_image=BASE_IMAGE, log=lambda line: None)
    assert second.image == first.image and not second.built
    assert time.monotonic() - started < 30  # cached wheels, no docker build
    config = client.images.get(first.image).attrs["Config"]
    assert config["User"] == "10001:10001"
    assert "/v2/health/ready" in " ".join(config["Healthcheck"]["Test"])
    assert first.image.endswith(":" + first.digest[:16])


def test_deploy_serves_on_host_ports_and_redeploy_is_a_no_op(
    client: Any, runtime: DockerRuntime, spec: Any
) -> None:
    result = runtime.deploy(spec)
    assert result.changed
    status = runtime.status(spec)
    assert (status.sync, status.health) == ("Synced", "Healthy"), status.detail
    urls = status.url.split(",")
    assert urls == [f"http://127.0.0.1:{replica_ports(spec, i)[0]}" for i in range(2)]
    for url in urls:
        assert predict(url) == [0]
    containers = client.containers.list(filters={"label": f"{LABEL_DEPLOYMENT}={spec.name}"})
    assert len(containers) == 2
    assert all(c.attrs["HostConfig"]["NetworkMode"] == "host" for c in containers)
    deadline = time.monotonic() + 90  # Docker's own HEALTHCHECK passes too
    while time.monotonic() < deadline:
        for c in containers:
            c.reload()
        if all(c.attrs["State"]["Health"]["Status"] == "healthy" for c in containers):
            break
        time.sleep(1)
    assert [c.attrs["State"]["Health"]["Status"] for c in containers] == ["healthy"] * 2

    again = runtime.deploy(spec)
    assert not again.changed
    assert {
        c.id for c in client.containers.list(filters={"label": f"{LABEL_DEPLOYMENT}={spec.name}"})
    } == {c.id for c in containers}
    assert "replica 0" in runtime.logs(spec, tail=5)


def test_changed_model_replaces_replicas_one_at_a_time(
    client: Any, project: Path, runtime: DockerRuntime, spec: Any
) -> None:
    before = runtime.status(spec)
    train_model(project, c=0.05)
    assert runtime.status(spec).sync == "OutOfSync"
    since = int(time.time()) - 1
    result = runtime.deploy(spec)
    until = int(time.time()) + 1
    assert result.changed
    status = runtime.status(spec)
    assert (status.sync, status.health) == ("Synced", "Healthy"), status.detail
    new_urls = status.url.split(",")
    assert new_urls == [f"http://127.0.0.1:{replica_ports(spec, i)[1]}" for i in range(2)]
    for url in new_urls:
        assert predict(url) == [0]
    for url in before.url.split(","):  # the old replicas are gone
        with pytest.raises(OSError):
            urllib.request.urlopen(f"{url}/v2/health/ready", timeout=2)

    label = f"{LABEL_DEPLOYMENT}={spec.name}"
    events = client.events(
        since=since, until=until, decode=True, filters={"type": "container", "label": label}
    )
    order = [
        (e["Action"], e["Actor"]["Attributes"]["mlops-gitops.port"])
        for e in events
        if e["Action"] in {"start", "die"}
    ]
    old = [u.rsplit(":", 1)[1] for u in before.url.split(",")]
    new = [u.rsplit(":", 1)[1] for u in new_urls]
    # each new replica starts (and is ready) before its predecessor dies; one at a time
    assert order == [("start", new[0]), ("die", old[0]), ("start", new[1]), ("die", old[1])]


def test_undeploy_removes_every_container(client: Any, runtime: DockerRuntime, spec: Any) -> None:
    assert runtime.undeploy(spec)
    assert not client.containers.list(
        all=True, filters={"label": f"{LABEL_DEPLOYMENT}={spec.name}"}
    )
    status = runtime.status(spec)
    assert (status.sync, status.health) == ("OutOfSync", "Missing")
    assert not runtime.undeploy(spec)


def test_deploy_refuses_a_port_held_by_a_foreign_server(
    client: Any, runtime: DockerRuntime, spec: Any, tmp_path: Path
) -> None:
    port = replica_ports(spec, 0)[0]
    with foreign_server(port, tmp_path) as foreign, pytest.raises(RuntimeBackendError) as caught:
        runtime.deploy(spec)
    command = " ".join(foreign_argv(port, tmp_path))
    assert caught.value.message == (
        f"cannot deploy '{spec.name}': port {port} on 127.0.0.1 is already in use by "
        f"pid {foreign.pid} ({command})"
    )
    assert not client.containers.list(
        all=True, filters={"label": f"{LABEL_DEPLOYMENT}={spec.name}"}
    )


def test_a_stopped_replica_with_a_foreign_server_on_its_port_is_not_healthy(
    client: Any, runtime: DockerRuntime, spec: Any, tmp_path: Path
) -> None:
    try:
        runtime.deploy(spec)
        assert runtime.status(spec).health == "Healthy"
        [first] = client.containers.list(
            filters={"label": [f"{LABEL_DEPLOYMENT}={spec.name}", f"{LABEL_REPLICA}=0"]}
        )
        port = int(first.labels[LABEL_PORT])
        first.stop(timeout=10)
        with foreign_server(port, tmp_path):
            status = runtime.status(spec)
    finally:
        runtime.undeploy(spec)
    assert status.health == "Degraded"
    server = f"SimpleHTTP/0.6 Python/{sys.version.split()[0]}"
    assert status.detail.startswith(
        f"1/2 replica(s) ready; on port {port} a server that gives no instance id "
        f"(Server: {server}) answers HTTP 200 instead of replica 0"
    )
