"""requestLog.uri in specs, in the manifests Kubernetes gets and in the environment Docker gets:
the URI by value, credentials only by reference (a Secret) or from the deploying environment."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from mlops_gitops.render.kubernetes import render_manifests
from mlops_gitops.requestlog.layout import request_log_location, request_log_uri
from mlops_gitops.runtimes.docker import DockerRuntime
from mlops_gitops.specs.models import RequestLog
from tests.helpers.spec_files import errors, valid_project
from tests.runtimes.models import deployment

IMAGE = "registry.example.com/iris-api:0123456789abcdef"


def test_the_log_folder_of_each_spec_shape(tmp_path: Path) -> None:
    default = deployment()
    legacy = deployment(request_log=RequestLog(directory="logs/iris"))
    shared = deployment(request_log=RequestLog(uri="s3://bucket/requests/"))
    assert request_log_uri(default) == ".mlops/requests/iris-api"
    assert request_log_location(tmp_path, default).uri == str(tmp_path / ".mlops/requests/iris-api")
    assert request_log_location(tmp_path, legacy).uri == str(tmp_path / "logs/iris")
    assert request_log_location(tmp_path, shared).uri == "s3://bucket/requests/deployment=iris-api"


def spec_with(request_log: str) -> str:
    return textwrap.dedent(
        f"""\
        apiVersion: mlops-gitops/v1
        kind: Deployment
        metadata: {{name: price-api}}
        spec:
          model: {{experiment: price-model}}
          requestLog: {request_log}
        """
    )


@pytest.mark.parametrize(
    ("request_log", "message"),
    [
        (
            "{uri: 's3://key:secret@bucket/x'}",
            "spec.requestLog.uri: uri holds credentials; remove them and set the storage "
            "variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, ...) in the environment instead",
        ),
        (
            "{uri: s3://bucket/x, directory: logs}",
            "spec.requestLog.uri: give uri or directory, not both (uri replaces directory)",
        ),
        (
            "{uri: /var/log/requests}",
            "spec.requestLog.uri: uri '/var/log/requests' is a folder outside the repository; "
            "keep a local request log inside it, or use an object store (s3://bucket/prefix)",
        ),
    ],
)
def test_a_bad_request_log_uri_is_named_at_its_line(
    project: Path, request_log: str, message: str
) -> None:
    valid_project(project, **{"specs/deployment.yaml": spec_with(request_log)})
    assert [e.split(": ", 1)[1] for e in errors(project)] == [message]
    assert all(e.startswith("specs/deployment.yaml:6:") for e in errors(project))


KUBERNETES_LOG_MESSAGE = (
    "a kubernetes deployment logs its requests to object storage: a pod's own disk is lost when "
    "it restarts and split between replicas, so drift checks could not read it; set "
    "requestLog.uri (s3://bucket/prefix) or requestLog.enabled: false"
)


@pytest.mark.parametrize(
    ("request_log", "error"),
    [
        ("{enabled: true}", "spec.requestLog: " + KUBERNETES_LOG_MESSAGE),
        ("{uri: logs/requests}", "spec.requestLog.uri: " + KUBERNETES_LOG_MESSAGE),
        ("{enabled: false}", None),
        ("{uri: s3://bucket/requests}", None),
    ],
)
def test_a_kubernetes_deployment_has_no_pod_local_request_log(
    project: Path, request_log: str, error: str | None
) -> None:
    text = spec_with(request_log).replace("spec:\n", "spec:\n  runtime: kubernetes\n")
    valid_project(project, **{"specs/deployment.yaml": text})
    found = [e.split(": ", 1)[1] for e in errors(project)]
    assert found == ([] if error is None else [error])
    assert all(e.startswith("specs/deployment.yaml:7:") for e in errors(project))


def test_kubernetes_pods_write_to_the_store_with_credentials_from_a_secret() -> None:
    spec = deployment(
        replicas=3,
        request_log=RequestLog(uri="s3://bucket/requests", credentials_secret="shop-storage"),
    )
    apps = yaml.safe_load(render_manifests(spec, IMAGE)["deployment.yaml"])
    pod = apps["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    uri = "s3://bucket/requests/deployment=iris-api"
    assert {"name": "MLOPS_REQUEST_LOG_URI", "value": uri} in container["env"]
    assert container["envFrom"] == [{"secretRef": {"name": "shop-storage"}}]
    assert pod["volumes"] == [{"name": "tmp", "emptyDir": {}}]  # no pod-local request log
    assert container["volumeMounts"] == [{"name": "tmp", "mountPath": "/tmp"}]
    assert "AWS_" not in yaml.safe_dump(apps)


def test_docker_passes_the_uri_and_the_deploying_environment_s_storage_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "id")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://minio.local:9000")
    runtime = DockerRuntime(tmp_path)
    shared = deployment(request_log=RequestLog(uri="s3://bucket/requests"))

    env = runtime._request_log_env(shared)
    volumes, _ = runtime._request_log_mount(shared)

    assert env == {
        "MLOPS_REQUEST_LOG_URI": "s3://bucket/requests/deployment=iris-api",
        "AWS_ACCESS_KEY_ID": "id",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_ENDPOINT_URL": "http://minio.local:9000",
    }
    assert volumes == {}
    assert runtime._request_log_env(deployment()) == {}  # a local folder is mounted instead
