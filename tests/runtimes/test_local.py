"""The local runtime with the real serving app: a real process, real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from mlops_gitops.errors import RuntimeBackendError
from mlops_gitops.runtimes.health import is_ready, probe_ready
from mlops_gitops.runtimes.local import LocalRuntime
from mlops_gitops.runtimes.lookup import get_runtime
from mlops_gitops.serving.identity import INSTANCE_HEADER
from tests.helpers.ports import free_port
from tests.runtimes.foreign import foreign_argv, foreign_server
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
    with pytest.raises(RuntimeBackendError, match=r"\(pid \d+\) exited before it was ready"):
        short.deploy(spec)
    assert short.status(spec).health == "Degraded"
    short.undeploy(spec)


def test_missing_model_says_how_to_train(tmp_path: Path) -> None:
    with pytest.raises(RuntimeBackendError, match="dvc repro"):
        LocalRuntime(tmp_path).deploy(deployment(port=free_port()))


def test_deploy_refuses_a_port_held_by_a_foreign_server(
    model_project: Path, runtime: LocalRuntime, tmp_path_factory: pytest.TempPathFactory
) -> None:
    spec = deployment(port=free_port())
    folder = tmp_path_factory.mktemp("foreign")
    with foreign_server(spec.port, folder) as foreign:
        with pytest.raises(RuntimeBackendError) as caught:
            runtime.deploy(spec)
        status = runtime.status(spec)
    command = " ".join(foreign_argv(spec.port, folder))
    assert caught.value.message == (
        f"cannot deploy 'iris-api': port {spec.port} on 127.0.0.1 is already in use by "
        f"pid {foreign.pid} ({command})"
    )
    assert not (model_project / ".mlops/run/iris-api.json").exists()  # nothing was started
    assert (status.sync, status.health) == ("OutOfSync", "Missing")


def test_another_checkouts_server_on_the_port_is_refused_not_adopted(
    model_project: Path, runtime: LocalRuntime, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The bug of issue 15: a second checkout deploying to the port the first one serves on
    used to report success (its readiness probe reached the first checkout's server)."""
    spec = deployment(port=free_port())
    other = tmp_path_factory.mktemp("other-checkout")
    train_model(other)
    try:
        runtime.deploy(spec)
        pid = json.loads((model_project / ".mlops/run/iris-api.json").read_text())["pid"]
        with pytest.raises(RuntimeBackendError) as caught:
            LocalRuntime(other).deploy(spec)
        assert caught.value.message.startswith(
            f"cannot deploy 'iris-api': port {spec.port} on 127.0.0.1 is already in use by "
            f"pid {pid} ({sys.executable} -m mlops_gitops.serving serve --model-dir "
            f"{model_project / 'models/iris'} --name iris-api "
        )
        assert LocalRuntime(other).status(spec).health == "Missing"
        assert runtime.status(spec).health == "Healthy"
    finally:
        runtime.undeploy(spec)


def test_a_dead_server_with_a_foreign_server_on_its_port_is_not_healthy(
    model_project: Path, runtime: LocalRuntime, tmp_path_factory: pytest.TempPathFactory
) -> None:
    spec = deployment(port=free_port())
    try:
        runtime.deploy(spec)
        pid = json.loads((model_project / ".mlops/run/iris-api.json").read_text())["pid"]
        os.killpg(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while runtime.status(spec).health != "Degraded" and time.monotonic() < deadline:
            time.sleep(0.1)
        with foreign_server(spec.port, tmp_path_factory.mktemp("foreign")):
            status = runtime.status(spec)
            with pytest.raises(RuntimeBackendError, match="is already in use by pid"):
                runtime.deploy(spec)  # a redeploy refuses the held port instead of "succeeding"
    finally:
        runtime.undeploy(spec)
    assert (status.sync, status.health) == ("OutOfSync", "Degraded")
    server = f"SimpleHTTP/0.6 Python/{sys.version.split()[0]}"
    assert status.detail == (
        f"process {pid} is not running; on its URL a server that gives no instance id "
        f"(Server: {server}) answers HTTP 200; see {model_project / '.mlops/run/iris-api.log'}"
    )


def test_readiness_needs_the_servers_own_instance_id(
    model_project: Path, runtime: LocalRuntime
) -> None:
    spec = deployment(port=free_port())
    try:
        result = runtime.deploy(spec)
        state = json.loads((model_project / ".mlops/run/iris-api.json").read_text())
        answer = probe_ready(result.url)
        assert answer.status == 200 and answer.instance_id == state["instance_id"]
        assert len(state["instance_id"]) == 32
        assert is_ready(result.url, state["instance_id"])
        assert not is_ready(result.url, "someone-else")
        with urllib.request.urlopen(f"{result.url}/v2/health/live", timeout=5) as response:
            assert response.headers[INSTANCE_HEADER] == state["instance_id"]
    finally:
        runtime.undeploy(spec)
