"""The server as runtimes start it: ``python -m mlops_gitops.serving serve`` in its own process."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from mlops_gitops.errors import MlopsError
from mlops_gitops.ml.artifact import MODEL_FILE
from mlops_gitops.serving.app import create_app
from mlops_gitops.serving.identity import INSTANCE_ENV, INSTANCE_HEADER
from tests.helpers.ports import free_port
from tests.helpers.server_process import call, wait_ready
from tests.serving.models import ROW


def test_served_process_predicts_and_flushes_its_log_on_sigterm(
    tmp_path: Path, classifier_dir: Path
) -> None:
    port = free_port()
    log = tmp_path / "requests"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mlops_gitops.serving",
            "serve",
            "--model-dir",
            str(classifier_dir),
            "--name",
            "churn",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--request-log",
            str(log),
            "--workers",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, process)
        status, headers, body = call(f"{url}/predict", {"instances": [ROW]})
        assert status == 200
        assert isinstance(body, dict) and body["predictions"] == ["stay"]
        assert headers["x-request-id"] == body["request_id"]
        status, _, meta = call(f"{url}/v2/models/churn")
        assert isinstance(meta, dict) and meta["name"] == "churn"
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    # uvicorn shuts down gracefully, then re-raises the signal so supervisors see it
    assert process.returncode in (0, -signal.SIGTERM), stderr
    assert "Application shutdown complete" in stderr
    files = list(log.rglob("*.parquet"))
    assert len(files) == 1
    assert pq.read_table(files[0]).column("request_id").to_pylist() == [body["request_id"]]


def tampered(classifier_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "model"
    shutil.copytree(classifier_dir, copy)
    payload = bytearray((copy / MODEL_FILE).read_bytes())
    payload[-1] ^= 0xFF
    (copy / MODEL_FILE).write_bytes(bytes(payload))
    return copy


def test_a_changed_model_file_refuses_to_start(tmp_path: Path, classifier_dir: Path) -> None:
    model = tampered(classifier_dir, tmp_path)
    with pytest.raises(MlopsError, match="the file was changed or corrupted"):
        create_app(model, name="churn", request_log=None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mlops_gitops.serving",
            "serve",
            "--model-dir",
            str(model),
            "--name",
            "churn",
            "--port",
            str(free_port()),
            "--no-request-log",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "error: model file" in result.stderr
    assert "the file was changed or corrupted" in result.stderr
    assert "hint: retrain it with `dvc repro`" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_serve_and_predict_are_registered_without_heavy_imports() -> None:
    code = (
        "import sys; from mlops_gitops.cli import build_parser; p = build_parser(); "
        "a = p.parse_args(['serve', '--model-dir', 'm', '--name', 'd', '--no-request-log']); "
        "b = p.parse_args(['predict', '--model-dir', 'm', '--input', 'x.csv', "
        "'--output', 'y.parquet']); "
        "print(a.name, a.port, a.host, a.workers, a.no_request_log, b.chunk_rows); "
        "print(sorted(m for m in ('fastapi', 'pandas', 'sklearn', 'uvicorn') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines() == ["d 8080 127.0.0.1 1 True 50000", "[]"]


def test_request_log_and_no_request_log_are_exclusive() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mlops_gitops.serving",
            "serve",
            "--model-dir",
            "m",
            "--name",
            "d",
            "--request-log",
            "x",
            "--no-request-log",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "not allowed with argument" in result.stderr


@pytest.mark.parametrize(
    ("flag", "env", "expected"),
    [([], "from-env", "from-env"), (["--instance-id", "from-flag"], "from-env", "from-flag")],
    ids=["env", "flag-over-env"],
)
def test_health_routes_echo_the_instance_id_in_every_worker(
    classifier_dir: Path, flag: list[str], env: str, expected: str
) -> None:
    port = free_port()
    argv = [sys.executable, "-m", "mlops_gitops.serving", "serve", "--model-dir"]
    argv += [str(classifier_dir), "--name", "churn", "--port", str(port), "--no-request-log"]
    process = subprocess.Popen(
        [*argv, "--workers", "2", *flag],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, INSTANCE_ENV: env},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, process)
        seen = set()
        for _ in range(20):  # connections land on both workers
            for path in ("/v2/health/ready", "/v2/health/live"):
                _, headers, _ = call(url + path)
                seen.add(headers[INSTANCE_HEADER.lower()])  # as the server sends it
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    assert seen == {expected}
