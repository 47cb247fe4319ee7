"""Serving processes as a runtime starts them (``python -m mlops_gitops.serving serve``), each a
replica with its own process, port and replica id; stopped on exit, on failure too."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["Replica", "metric"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def metric(text: str, name: str) -> float:
    """The value of the unlabelled sample ``name`` in a Prometheus text page."""
    values = [line.split()[-1] for line in text.splitlines() if line.startswith(name + " ")]
    assert len(values) == 1, f"{name} not in metrics"
    return float(values[0])


class Replica:
    def __init__(
        self, model_dir: Path, name: str, request_log: str, *extra: str, cwd: Path | None = None
    ) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.argv = [
            sys.executable,
            "-m",
            "mlops_gitops.serving",
            "serve",
            "--model-dir",
            str(model_dir),
            "--name",
            name,
            "--port",
            str(self.port),
            "--request-log",
            request_log,
            *extra,
        ]
        self.name = name
        self.cwd = cwd
        self.process: subprocess.Popen[str] | None = None
        self.stderr = ""

    def start(self) -> Replica:
        # not a pipe: an unread pipe blocks the server; closed in stop
        self._log = tempfile.TemporaryFile()  # noqa: SIM115
        self.process = subprocess.Popen(
            self.argv, cwd=self.cwd, stdout=subprocess.DEVNULL, stderr=self._log
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.process = None
                self._log.seek(0)
                raise AssertionError(f"replica exited: {self._log.read().decode()}")
            try:
                status, body = self.get(f"/v2/models/{self.name}")
                if status == 200 and isinstance(body, dict) and body.get("name") == self.name:
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop(signal.SIGKILL)
        raise AssertionError("replica did not become ready in 60 s")

    def get(self, path: str) -> tuple[int, Any]:
        with urllib.request.urlopen(self.url + path, timeout=10) as reply:
            raw = reply.read()
            is_json = reply.headers.get_content_type() == "application/json"
            return reply.status, json.loads(raw) if is_json else raw.decode()

    def predict(self, rows: list[dict[str, Any]]) -> tuple[int, str]:
        """Send ``rows`` in one request; the rows the server acknowledged, and the request id."""
        request = urllib.request.Request(
            f"{self.url}/predict",
            data=json.dumps({"instances": rows}).encode(),
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as reply:
            body = json.loads(reply.read())
        return (len(body["predictions"]) if reply.status == 200 else 0), body["request_id"]

    def feedback(self, labels: list[dict[str, Any]]) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{self.url}/v2/models/{self.name}/feedback",
            data=json.dumps({"labels": labels}).encode(),
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as reply:
            body: dict[str, Any] = json.loads(reply.read())
            return body

    def metrics(self) -> str:
        _, text = self.get("/metrics")
        return str(text)

    def stop(self, how: signal.Signals = signal.SIGTERM) -> int:
        process, self.process = self.process, None
        if process is None:
            return 0
        process.send_signal(how)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        self._log.seek(0)
        self.stderr = self._log.read().decode(errors="replace")
        self._log.close()
        return process.returncode

    def __enter__(self) -> Replica:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop(signal.SIGKILL)
