"""A serving process's identity: the instance id a runtime gives it at start.

The server echoes the id in the ``X-Mlops-Instance-Id`` header of its health routes, so a
runtime's readiness probe and ``mlops status`` can tell their own process from anything else
that answers on the same port (a leftover server, another checkout's). Light on purpose: the
runtimes import it without the web stack.
"""

from __future__ import annotations

import uuid

__all__ = ["INSTANCE_ENV", "INSTANCE_HEADER", "new_instance_id"]

INSTANCE_HEADER = "X-Mlops-Instance-Id"
INSTANCE_ENV = "MLOPS_INSTANCE_ID"


def new_instance_id() -> str:
    """A fresh, unguessable-enough id (32 hex digits) for one server start."""
    return uuid.uuid4().hex
