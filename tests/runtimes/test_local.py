"""The local runtime with the real serving app: a real process, real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.request
from pathlib import Path

import pytest

from mlops_gitops.errors import RuntimeBackendError
from mlops_gitops.runtimes.local import LocalRuntime
from mlops_gitops.runtimes.registry import get_runtime
from tests.runtimes.conftest import free_port
from tests.runtimes.models import SAMPLE, deployment, train_model


def predict(url: str) -> dict[str, object]:
    body = json.dumps({"instances": [SAMPLE]}).encode()
    request = urllib.request.Request(
        f"{url}/predict", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        result: dict[str, object] = json.loads(response.read())
    return result


@pytest.fixture
def runtime(model_project: Path) -> LocalRuntime:
    runtime = get_runtime("local", model_project)
    assert isinstance(runtime, LocalRuntime)
    return runtime


def test_deploy_serves_predicts_and_undeploys(model_project: Path, runtime: LocalRuntime) -> None:
    spec = deployment(port=free_port())
    try:
        result = runtime.deploy(spec)
        assert result.changed
        assert result.url == f"http://127.0.0.1:{spec.port}"
        state = json.loads((model_project / ".mlops/run/iris-api.json").read_text())
        assert state["port"] == spec.port and state["url"] == result.url
        status = runtime.status(spec)
        assert (status.sync, status.health) == ("Synced", "Healthy")
        assert predict(result.url)["predictions"] == [0]  # a setosa

        again = runtime.deploy(spec)
        assert not again.changed
        assert json.loads((model_project / ".mlops/run/iris-api.json").read_text()) == state
        assert str(spec.port) in runtime.logs(spec)  # the server's start-up line
    finally:
        removed = runtime.undeploy(spec)
    assert removed
    status = runtime.status(spec)
    assert (status.sync, status.health) == ("OutOfSync", "Missing")
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{result.url}/v2/health/ready", timeout=2)


def test_changed_model_restarts_and_status_shows_out_of_sync(
    model_project: Path, runtime: LocalRuntime
) -> None:
    spec = deployment(port=free_port())
    try:
        first = runtime.deploy(spec)
        pid = json.loads((model_project / ".mlops/run/iris-api.json").read_text())["pid"]
        train_model(model_project, c=0.05)
        assert runtime.status(spec).sync == "OutOfSync"
        second = runtime.deploy(spec)
        assert second.changed
        new_pid = json.loads((model_project / ".mlops/run/iris-api.json").read_text())["pid"]
        assert new_pid != pid
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
        assert runtime.status(spec).sync == "Synced"
        predict(first.url)
    finally:
        runtime.undeploy(spec)


def test_dead_process_is_degraded(model_project: Path, runtime: LocalRuntime) -> None:
    spec = deployment(port=free_port())
    try:
        runtime.deploy(spec)
        pid = json.loads((model_project / ".mlops/run/iris-api.json").read_text())["pid"]
        os.killpg(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while runtime.status(spec).health != "Degraded" and time.monotonic() < deadline:
            time.sleep(0.1)
        status = runtime.status(spec)
        assert (status.sync, status.health) == ("OutOfSync", "Degraded")
        assert runtime.deploy(spec).changed  # a redeploy brings it back
        assert runtime.status(spec).health == "Healthy"
    finally:
        runtime.undeploy(spec)


def test_a_server_that_cannot_start_is_an_error_with_its_output(
    model_project: Path, runtime: LocalRuntime
) -> None:
    (model_project / "models/iris/model.skops").write_bytes(b"not a model")
    spec = deployment(port=free_port())
    short = LocalRuntime(model_project, ready_timeout=60)
    with pytest.raises(RuntimeBackendError, match="did not become ready"):
        short.deploy(spec)
    assert short.status(spec).health == "Degraded"
    short.undeploy(spec)


def test_missing_model_says_how_to_train(tmp_path: Path) -> None:
    with pytest.raises(RuntimeBackendError, match="dvc repro"):
        LocalRuntime(tmp_path).deploy(deployment(port=free_port()))
