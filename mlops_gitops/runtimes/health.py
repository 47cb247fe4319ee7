"""HTTP readiness checks against a serving endpoint (``GET /v2/health/ready``).

A runtime starts each server with an instance id (:mod:`mlops_gitops.serving.identity`) and
counts it ready only when the answer carries that id: anything else listening on the port (a
leftover server, another checkout's, an unrelated program) can never pass for it.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from mlops_gitops.serving.identity import INSTANCE_HEADER

__all__ = ["READY_PATH", "Answer", "is_ready", "probe_ready", "wait_ready"]

READY_PATH = "/v2/health/ready"


@dataclass(frozen=True)
class Answer:
    """What answered ``GET /v2/health/ready``: ``status`` None when nothing did."""

    status: int | None
    instance_id: str | None = None
    server: str | None = None

    def is_from(self, instance_id: str) -> bool:
        return self.status == 200 and self.instance_id == instance_id

    def describe(self) -> str:
        """For a message: what answers instead of the expected server."""
        if self.status is None:
            return "nothing answers"
        who = (
            f"a server with instance id {self.instance_id}"
            if self.instance_id
            else "a server that gives no instance id"
            + (f" (Server: {self.server})" if self.server else "")
        )
        return f"{who} answers HTTP {self.status}"


def probe_ready(url: str, timeout: float = 2.0) -> Answer:
    """Ask ``url`` + ``/v2/health/ready`` once; never raises."""
    try:
        with urllib.request.urlopen(url.rstrip("/") + READY_PATH, timeout=timeout) as response:
            return Answer(
                int(response.status),
                response.headers.get(INSTANCE_HEADER),
                response.headers.get("Server"),
            )
    except urllib.error.HTTPError as error:
        headers = error.headers
        return Answer(int(error.code), headers.get(INSTANCE_HEADER), headers.get("Server"))
    except (urllib.error.URLError, OSError, ValueError):
        return Answer(None)


def is_ready(url: str, instance_id: str, timeout: float = 2.0) -> bool:
    """True when the server started with ``instance_id`` answers ready at ``url``."""
    return probe_ready(url, timeout).is_from(instance_id)


def wait_ready(
    url: str,
    timeout: float,
    instance_id: str,
    alive: Callable[[], bool] = lambda: True,
    interval: float = 0.2,
) -> bool:
    """Poll until the server started with ``instance_id`` is ready, ``timeout`` seconds pass,
    or ``alive()`` says it died.

    ``alive()`` is asked first and last: a server that died (say, on "address in use") must not
    pass, and the instance id keeps whatever else answers on its port from passing for it."""
    deadline = time.monotonic() + timeout
    while True:
        if not alive():
            return False
        if is_ready(url, instance_id):
            return alive()
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
