"""A model server started as its own process: JSON calls to it, and waiting until it is ready."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request

__all__ = ["call", "wait_ready"]


def call(url: str, body: object | None = None) -> tuple[int, dict[str, str], object]:
    """GET (or POST ``body`` as JSON to) ``url``; status, headers and the decoded JSON reply."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), json.loads(response.read())


def wait_ready(url: str, process: subprocess.Popen[str]) -> None:
    """Poll ``url``'s ready endpoint until it answers; fail when ``process`` exits or 30 s pass."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {process.communicate()[1]}")
        try:
            call(f"{url}/v2/health/ready")
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("server did not become ready")
