"""One way to reach the Docker daemon, with an error that says how to start one."""

from __future__ import annotations

import os
from typing import Any

from mlops_gitops.errors import RuntimeBackendError

__all__ = ["docker_client"]


def docker_client() -> Any:
    """A connected ``docker.DockerClient`` (``DOCKER_HOST`` or the default socket)."""
    import docker
    from docker.errors import DockerException

    where = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
    try:
        client = docker.from_env()
        client.ping()
    except DockerException as error:
        raise RuntimeBackendError(
            f"cannot reach the Docker daemon at {where}: {error}",
            'start one and point DOCKER_HOST at it, e.g. `eval "$(bash .ci/docker.sh up)"`',
        ) from None
    return client
