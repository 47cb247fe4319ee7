"""A foreign HTTP server on a port: a real process that is not ours, answering 200 on the
readiness path (``python -m http.server`` serving a folder that holds ``v2/health/ready``)."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def foreign_argv(port: int, folder: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "http.server",
        str(port),
        "--bind",
        "127.0.0.1",
        "--directory",
        str(folder),
    ]


@contextmanager
def foreign_server(port: int, folder: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run the foreign server until the block ends (stopped on failure too)."""
    ready = folder / "v2" / "health" / "ready"
    ready.parent.mkdir(parents=True, exist_ok=True)
    ready.write_text('{"ready": true}')
    process = subprocess.Popen(
        foreign_argv(port, folder), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/v2/health/ready", timeout=1
                ) as response:
                    if response.status == 200:
                        break
            except OSError as error:
                if process.poll() is not None or time.monotonic() > deadline:
                    message = f"the foreign server on port {port} did not start"
                    raise RuntimeError(message) from error
                time.sleep(0.05)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
