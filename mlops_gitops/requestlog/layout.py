"""Where a deployment's request log and labels live, and how their files are named.

One deployment's log is one folder (a :class:`~mlops_gitops.io.storage.Location`)::

    <log>/date=YYYY-MM-DD/hour=HH/<replica>-<seq>.parquet          served rows, by arrival hour
    <log>/labels/date=YYYY-MM-DD/hour=HH/<replica>-<seq>.parquet   labels, by the hour recorded

``<log>`` is ``<requestLog.uri>/deployment=<name>`` when the spec gives ``requestLog.uri`` (a
store several deployments share), ``requestLog.directory`` when it gives that (a folder of the
project, as before), and ``.mlops/requests/<name>`` otherwise. Every replica names its files
with its own id (``MLOPS_REPLICA_ID``, or host, process id and a random token) and a sequence
number, so replicas never write the same name; the ``date=``/``hour=`` folders let a reader of a
time window list and read only the hours it needs. Files written flat in ``<log>`` by earlier
versions are still read.

Light on purpose (no pyarrow, no fsspec): the CLI, the runtimes and the readers import it.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from mlops_gitops.io.storage import Location, location
from mlops_gitops.layout import RELATIVE

if TYPE_CHECKING:
    from mlops_gitops.specs.models import Deployment

__all__ = [
    "DEFAULT_LOG_ROOT",
    "LABELS_DIR",
    "REPLICA_ENV",
    "file_name",
    "in_window",
    "partition",
    "replica_id",
    "request_log_location",
    "request_log_uri",
]

DEFAULT_LOG_ROOT = RELATIVE.posix(RELATIVE.request_logs())
LABELS_DIR = "labels"
REPLICA_ENV = "MLOPS_REPLICA_ID"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_PARTITION = re.compile(r"^date=(\d{4}-\d{2}-\d{2})/hour=(\d{2})/[^/]+$")


def request_log_uri(deployment: Deployment) -> str:
    """The deployment's log folder as written in its spec (relative to the project root when it
    is a local path)."""
    log = deployment.request_log
    if log.uri is not None:
        return f"{log.uri.rstrip('/')}/deployment={deployment.name}"
    return log.directory or RELATIVE.posix(RELATIVE.request_log_default(deployment.name))


def request_log_location(root: Path, deployment: Deployment) -> Location:
    """The deployment's log folder; a local one is taken from the project ``root``."""
    return location(request_log_uri(deployment), root)


def replica_id() -> str:
    """This process's replica id: ``$MLOPS_REPLICA_ID``, or ``<host>-<pid>-<random>`` (a pod's
    host name is its pod name; the token tells a restarted process from its predecessor)."""
    given = _UNSAFE.sub("-", os.environ.get(REPLICA_ENV, "")).strip("-.")
    if given:
        return given[:80]
    host = _UNSAFE.sub("-", socket.gethostname()).strip("-.")[:40] or "host"
    return f"{host}-{os.getpid()}-{secrets.token_hex(3)}"


def partition(moment: datetime) -> str:
    """``date=YYYY-MM-DD/hour=HH`` of ``moment`` in UTC."""
    moment = moment.astimezone(UTC)
    return f"date={moment:%Y-%m-%d}/hour={moment:%H}"


def file_name(replica: str, sequence: int) -> str:
    return f"{replica}-{sequence:06d}.parquet"


def in_window(relative: str, start: datetime, end: datetime) -> bool:
    """Whether a file at ``relative`` (to the log folder) may hold rows of ``[start, end)``:
    its hour overlaps the window, or it is not in an hour folder (earlier versions' flat files,
    filtered by their rows instead)."""
    match = _PARTITION.match(PurePosixPath(relative).as_posix())
    if match is None:
        return "/" not in relative
    hour = datetime.fromisoformat(f"{match.group(1)}T{match.group(2)}:00:00+00:00")
    return hour < end and hour + timedelta(hours=1) > start
