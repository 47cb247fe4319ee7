"""`mlops deploy / status / logs / undeploy / build` on a project the real pipeline trained."""

from __future__ import annotations

import json
import os
import signal
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.helpers.commands import mlops
from tests.helpers.diabetes_project import KUBERNETES_WITH_STORE, deployment
from tests.helpers.ports import free_port
from tests.runtimes.foreign import foreign_argv, foreign_server

# every test here works on the fixture project that `dvc repro` trained (reproduced_project)
pytestmark = pytest.mark.slow


def test_local_deploy_status_logs_undeploy(repo: Path) -> None:
    port = free_port()
    (repo / "specs/deployment.yaml").write_text(deployment(port))
    try:
        assert "http://127.0.0.1:" in mlops(repo, "deploy", "lin-api").stdout
        again = mlops(repo, "deploy", "lin-api").stdout
        assert "already serves model" in again  # a second deploy is a no-op
        body = json.dumps({"instances": [{"age": 50, "bmi": 30, "bp": 90, "s5": 4.6}]}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/predict", body, {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert len(json.loads(response.read())["predictions"]) == 1
        text = mlops(repo, "status").stdout
        assert "lin-api" in text and "Healthy" in text and "Synced" in text
        assert "Uvicorn running on" in mlops(repo, "logs", "lin-api").stdout
        mlops(repo, "undeploy", "lin-api")
        [status] = json.loads(mlops(repo, "status", "--format", "json").stdout)
        assert status["health"] == "Missing"
    finally:
        mlops(repo, "undeploy", "lin-api", check=False)


def test_deploy_refuses_a_port_another_process_holds(repo: Path, tmp_path: Path) -> None:
    port = free_port()
    (repo / "specs/deployment.yaml").write_text(deployment(port))
    folder = tmp_path / "foreign"
    with foreign_server(port, folder) as foreign:
        done = mlops(repo, "deploy", "lin-api", check=False)
        [status] = json.loads(mlops(repo, "status", "--format", "json").stdout)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == (
        f"error: cannot deploy 'lin-api': port {port} on 127.0.0.1 is already in use by "
        f"pid {foreign.pid} ({' '.join(foreign_argv(port, folder))})\n"
        "hint: stop that process, or give the deployment a free port (spec.port of 'lin-api')\n"
    )
    assert status["health"] == "Missing"


def test_status_is_not_healthy_once_the_server_died_and_another_answers(
    repo: Path, tmp_path: Path
) -> None:
    port = free_port()
    (repo / "specs/deployment.yaml").write_text(deployment(port))
    try:
        mlops(repo, "deploy", "lin-api")
        pid = json.loads((repo / ".mlops/run/lin-api.json").read_text())["pid"]
        os.killpg(pid, signal.SIGKILL)
        with foreign_server(port, tmp_path / "foreign"):
            [status] = json.loads(mlops(repo, "status", "--format", "json").stdout)
            redeploy = mlops(repo, "deploy", "lin-api", check=False)
    finally:
        mlops(repo, "undeploy", "lin-api", check=False)
    assert status["health"] == "Degraded"
    assert status["detail"].startswith(
        f"process {pid} is not running; on its URL a server that gives no instance id"
    )
    assert redeploy.returncode == 1 and "deployed" not in redeploy.stdout
    assert f"port {port} on 127.0.0.1 is already in use by pid" in redeploy.stderr


def test_kubernetes_runtime_renders_manifests_for_argo_cd(repo: Path) -> None:
    spec = deployment(8080).replace("runtime: local", KUBERNETES_WITH_STORE)
    (repo / "specs/deployment.yaml").write_text(spec + "  replicas: 2\n  maxReplicas: 4\n")
    mlops(repo, "deploy", "lin-api")
    folder = repo / "deploy/lin-api"
    kinds = {
        yaml.safe_load(p.read_text())["kind"]
        for p in folder.glob("*.yaml")
        if p.name != "kustomization.yaml"
    }
    assert kinds == {"Deployment", "Service", "HorizontalPodAutoscaler"}
    [status] = json.loads(mlops(repo, "status", "--format", "json").stdout)
    assert (status["sync"], status["health"]) == ("Synced", "Healthy")
    plan = json.loads(mlops(repo, "plan", "--format", "json").stdout)
    assert plan["changes"] is False


@pytest.mark.docker
def test_build_cli_builds_an_image_tagged_by_its_context_digest(repo: Path) -> None:
    import docker
    from docker.errors import DockerException

    try:
        docker.from_env().ping()
    except DockerException as error:
        message = f"NO DOCKER DAEMON ({error}): `mlops build` test NOT RUN"
        print(f"\n{'!' * 20} {message}")
        pytest.skip(message)
    (repo / "specs/deployment.yaml").write_text(deployment(free_port()))
    base = os.environ.get("MLOPS_BASE_IMAGE", "mlops-gitops/python-base:bookworm")
    first = mlops(repo, "build", "lin-api", "--base-image", base).stdout.strip()
    verb, _, image = first.rpartition(" ")
    assert image.startswith("mlops-gitops/lin-api:") and verb in ("built", "up to date:")
    assert docker.from_env().images.get(image).labels["mlops-gitops.deployment"] == "lin-api"
    # an unchanged model is never rebuilt: same tag, no build
    again = mlops(repo, "build", "lin-api", "--base-image", base).stdout.strip()
    assert again == f"up to date: {image}"
