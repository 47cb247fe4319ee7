"""Detached server processes: start one in its own session, check it, stop its whole group."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

__all__ = ["is_running", "start_detached", "stop_group"]


def start_detached(argv: Sequence[str], log_path: Path, cwd: Path) -> int:
    """Start ``argv`` in a new session (so it outlives us), output appended to ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )
    return process.pid


def _reap(pid: int) -> None:
    """Collect the exit status if ``pid`` is our child, so it does not linger as a zombie."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def _wait_gone(pid: int, timeout: float = 5.0) -> None:
    """Wait until ``pid`` has left the process table. A process whose main thread has exited
    shows as a zombie while its other threads (say, a log writer flushing) still finish; only
    once they have can it be collected."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done == pid:
                return
        except ChildProcessError:  # not our child: someone else collects it
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
        except OSError:
            return
        time.sleep(0.05)


def is_running(pid: int, marker: str | None = None) -> bool:
    """True when ``pid`` is alive (not a zombie) and, if given, its command line has ``marker``.

    The marker guards against a recycled pid: a stale record must not adopt another process.
    """
    _reap(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return marker is None
    proc = Path(f"/proc/{pid}")
    if not proc.exists():  # not Linux: os.kill is all we can check
        return True
    try:
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except (OSError, IndexError):
        return False
    if state in {"Z", "X"}:
        return False
    return marker is None or marker in cmdline


def stop_group(pid: int, marker: str | None = None, timeout: float = 10.0) -> bool:
    """SIGTERM the process group led by ``pid``, SIGKILL it after ``timeout``; True if it ran."""
    if not is_running(pid, marker):
        return False
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_running(pid):
            _wait_gone(pid)
            return True
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    while is_running(pid) and time.monotonic() < deadline + 5:
        time.sleep(0.1)
    _wait_gone(pid)
    return True
