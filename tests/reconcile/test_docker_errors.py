"""A Docker failure is one clean message whichever command meets it: the docker runtime
translates it, so `mlops deploy`, `mlops apply` and `mlops status` exit 1 (or show the row as
Unknown) without a traceback."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.commands import mlops
from tests.helpers.docker_daemon import RefusingDockerDaemon
from tests.reconcile.test_deployments import deployment, free_port

pytestmark = pytest.mark.slow

UNREACHABLE_HINT = (
    'hint: start one and point DOCKER_HOST at it, e.g. `eval "$(bash .ci/docker.sh up)"`'
)


@pytest.fixture
def socket_dir() -> Iterator[Path]:
    """A short folder for unix sockets (their paths are limited to about 100 bytes)."""
    with tempfile.TemporaryDirectory(prefix="mlops-sock-") as folder:
        yield Path(folder)


def docker_deployment(repo: Path) -> None:
    text = deployment(free_port()).replace("runtime: local", "runtime: docker")
    (repo / "specs/deployment.yaml").write_text(text)


def test_an_unreachable_daemon_is_the_same_message_in_deploy_and_apply(
    repo: Path, socket_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    where = f"unix://{socket_dir}/no-daemon/docker.sock"
    monkeypatch.setenv("DOCKER_HOST", where)
    docker_deployment(repo)
    deployed = mlops(repo, "deploy", "lin-api", check=False)
    applied = mlops(repo, "apply", "--yes", check=False)
    for result in (deployed, applied):
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert f"error: cannot reach the Docker daemon at {where}: " in result.stderr
        assert UNREACHABLE_HINT in result.stderr
    error_line = [line for line in deployed.stderr.splitlines() if line.startswith("error:")]
    assert error_line == [line for line in applied.stderr.splitlines() if line.startswith("error:")]


def test_a_refusing_daemon_is_a_message_in_deploy_apply_and_status(
    repo: Path, socket_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docker_deployment(repo)
    with RefusingDockerDaemon(socket_dir / "docker.sock", "the disk is full") as daemon:
        monkeypatch.setenv("DOCKER_HOST", daemon.url)
        deployed = mlops(repo, "deploy", "lin-api", check=False)
        applied = mlops(repo, "apply", "--yes", check=False)
        status = mlops(repo, "status", "--format", "json", check=False)
        assert any(p.endswith("/containers/json") for p in daemon.paths)
    for result in (deployed, applied, status):
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
    assert "error: Docker refused to build mlops-gitops/lin-api:" in deployed.stderr
    assert deployed.stderr.rstrip().endswith(
        ": the disk is full\nhint: check that the daemon runs (`docker info`) and see `mlops logs`"
    )
    refused_status = "Docker refused to report the status of 'lin-api': the disk is full"
    assert refused_status in applied.stdout + applied.stderr
    [row] = json.loads(status.stdout)
    assert (row["sync"], row["health"], row["detail"]) == ("Unknown", "Unknown", refused_status)
