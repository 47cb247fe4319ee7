"""HTTP readiness checks against a serving endpoint (``GET /v2/health/ready``)."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable

__all__ = ["READY_PATH", "is_ready", "wait_ready"]

READY_PATH = "/v2/health/ready"


def is_ready(url: str, timeout: float = 2.0) -> bool:
    """True when ``url`` + ``/v2/health/ready`` answers 200."""
    try:
        with urllib.request.urlopen(url.rstrip("/") + READY_PATH, timeout=timeout) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def wait_ready(
    url: str,
    timeout: float,
    alive: Callable[[], bool] = lambda: True,
    interval: float = 0.2,
) -> bool:
    """Poll until ready, ``timeout`` seconds pass, or ``alive()`` says the server died."""
    deadline = time.monotonic() + timeout
    while True:
        if is_ready(url):
            return True
        if not alive() or time.monotonic() >= deadline:
            return False
        time.sleep(interval)
