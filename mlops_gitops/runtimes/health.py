"""HTTP readiness checks against a serving endpoint (``GET /v2/health/ready``)."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable

__all__ = ["READY_PATH", "is_ready", "wait_ready"]

READY_PATH = "/v2/health/ready"


def is_ready(url: str, timeout: float = 2.0, *, model: str | None = None) -> bool:
    """True when ``url`` + ``/v2/health/ready`` answers 200; with ``model``, when
    ``/v2/models/<model>/ready`` does (so another deployment's server on the port does not
    count)."""
    path = READY_PATH if model is None else f"/v2/models/{model}/ready"
    try:
        with urllib.request.urlopen(url.rstrip("/") + path, timeout=timeout) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def wait_ready(
    url: str,
    timeout: float,
    alive: Callable[[], bool] = lambda: True,
    interval: float = 0.2,
    *,
    model: str | None = None,
) -> bool:
    """Poll until ready, ``timeout`` seconds pass, or ``alive()`` says the server died.

    ``alive()`` is asked first: a server that died (say, on "address in use") must not pass
    because something else answers on its port."""
    deadline = time.monotonic() + timeout
    while True:
        if not alive():
            return False
        if is_ready(url, model=model):
            return alive()
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
