"""One way to reach the Docker daemon, and the errors its failures become.

Every call into the Docker SDK runs inside :func:`docker_errors`, so a daemon that is gone or
refuses a request is a :class:`DockerUnreachable` or :class:`DockerRefused` (both
:class:`~mlops_gitops.errors.RuntimeBackendError`) with a hint, whichever command made the call
(``mlops deploy``, ``mlops apply``, ``mlops status``), never an SDK traceback.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from mlops_gitops.errors import MlopsError, RuntimeBackendError

__all__ = ["DockerRefused", "DockerUnreachable", "docker_client", "docker_errors", "docker_host"]

DEFAULT_HOST = "unix:///var/run/docker.sock"


def docker_host() -> str:
    """Where the daemon is looked for: ``DOCKER_HOST``, else the default socket."""
    return os.environ.get("DOCKER_HOST") or DEFAULT_HOST


class DockerUnreachable(RuntimeBackendError):
    """The Docker daemon does not answer at ``DOCKER_HOST``."""

    def __init__(self, reason: object) -> None:
        self.where = docker_host()
        super().__init__(
            f"cannot reach the Docker daemon at {self.where}: {reason}",
            'start one and point DOCKER_HOST at it, e.g. `eval "$(bash .ci/docker.sh up)"`',
        )


class DockerRefused(RuntimeBackendError):
    """The daemon answered, but refused what was asked (``doing``)."""

    def __init__(self, doing: str, reason: object, hint: str | None = None) -> None:
        self.doing = doing
        super().__init__(
            f"Docker refused to {doing}: {reason}",
            hint or "check that the daemon runs (`docker info`) and see `mlops logs`",
        )


def docker_client() -> Any:
    """A connected ``docker.DockerClient`` (``DOCKER_HOST`` or the default socket)."""
    import docker

    with docker_errors("connect"):
        client = docker.from_env()
        client.ping()
    return client


@contextlib.contextmanager
def docker_errors(doing: str, *, missing_hint: str | None = None) -> Iterator[None]:
    """Translate Docker SDK failures inside the block: the daemon not answering becomes
    :class:`DockerUnreachable`, a refused request :class:`DockerRefused` saying it was trying to
    ``doing`` (``missing_hint`` is its hint when what it asked for does not exist)."""
    try:
        yield
    except MlopsError:
        raise
    except Exception as error:
        translated = _translated(error, doing, missing_hint)
        if translated is None:
            raise
        raise translated from None


def _translated(error: Exception, doing: str, missing_hint: str | None) -> MlopsError | None:
    from docker.errors import APIError, DockerException, NotFound
    from requests.exceptions import ConnectionError as RequestsConnectionError

    if isinstance(error, APIError):
        hint = missing_hint if isinstance(error, NotFound) else None
        return DockerRefused(doing, error.explanation or error, hint)
    if isinstance(error, RequestsConnectionError) or type(error) is DockerException:
        return DockerUnreachable(error)  # the SDK's plain DockerException: no daemon answered
    if isinstance(error, DockerException):
        return DockerRefused(doing, error)
    return None
