"""Who holds a TCP port: checked before a runtime starts a server on it.

A server that cannot bind its port dies with "address already in use", and whatever holds the
port may answer its readiness probe. So a runtime asks first: :func:`port_holder` tries to bind
the port itself and, when that fails, names the listening process from ``/proc/net/tcp``,
``/proc/net/tcp6`` and the socket links under ``/proc/<pid>/fd`` (Linux; elsewhere, or for
another user's process, the holder is named by the port alone).
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from mlops_gitops.errors import RuntimeBackendError

__all__ = ["PortHolder", "ensure_port_free", "port_holder"]

_LISTEN = "0A"  # TCP state LISTEN in /proc/net/tcp


@dataclass(frozen=True)
class PortHolder:
    """The process listening on a port, as far as this machine lets us see it."""

    port: int
    pid: int | None = None
    command: str | None = None

    def describe(self) -> str:
        if self.pid is None:
            return "another process (not visible to this user)"
        if self.command:
            return f"pid {self.pid} ({self.command})"
        return f"pid {self.pid}"


def _bind_fails(host: str, port: int) -> bool:
    """True when ``host:port`` cannot be bound right now because something holds it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # SO_REUSEADDR as servers set it (uvicorn does): a port in TIME_WAIT counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            return error.errno == errno.EADDRINUSE
    return False


def _listening_inodes(port: int, proc: Path) -> set[str]:
    inodes: set[str] = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = (proc / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 10 or fields[3] != _LISTEN:
                continue
            local_port = fields[1].rsplit(":", 1)[1]
            if int(local_port, 16) == port:
                inodes.add(fields[9])
    return inodes


def _command_line(pid_dir: Path) -> str | None:
    try:
        raw = (pid_dir / "cmdline").read_bytes()
    except OSError:
        return None
    words = raw.rstrip(b"\0").split(b"\0")
    text = " ".join(w.decode(errors="replace") for w in words).strip()
    return (text[:397] + "...") if len(text) > 400 else (text or None)


def _owner(inodes: set[str], proc: Path) -> tuple[int, str | None] | None:
    targets = {f"socket:[{inode}]" for inode in inodes}
    for pid_dir in proc.iterdir():
        if not pid_dir.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (pid_dir / "fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) in targets:
                        return int(pid_dir.name), _command_line(pid_dir)
    return None


def port_holder(host: str, port: int, *, proc: Path = Path("/proc")) -> PortHolder | None:
    """``None`` when ``host:port`` is free; otherwise who holds it (pid and command when the
    process tables let us see them)."""
    if not _bind_fails(host, port):
        return None
    inodes = _listening_inodes(port, proc)
    owner = _owner(inodes, proc) if inodes else None
    if owner is None:
        return PortHolder(port)
    return PortHolder(port, owner[0], owner[1])


def ensure_port_free(host: str, port: int, *, deployment: str) -> None:
    """Raise :class:`RuntimeBackendError` naming the holder when ``host:port`` is taken."""
    holder = port_holder(host, port)
    if holder is None:
        return
    raise RuntimeBackendError(
        f"cannot deploy {deployment!r}: port {port} on {host} is already in use by "
        f"{holder.describe()}",
        f"stop that process, or give the deployment a free port (spec.port of {deployment!r})",
    )
