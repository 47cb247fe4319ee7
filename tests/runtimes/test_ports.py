"""Who holds a port: a real listening socket, named by pid and command."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from mlops_gitops.errors import RuntimeBackendError
from mlops_gitops.runtimes.ports import PortHolder, ensure_port_free, port_holder
from tests.helpers.ports import free_port
from tests.runtimes.foreign import foreign_argv, foreign_server


def test_a_free_port_has_no_holder() -> None:
    assert port_holder("127.0.0.1", free_port()) is None


def test_a_listening_socket_of_this_process_is_named_by_pid() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        holder = port_holder("127.0.0.1", port)
    assert holder is not None
    assert (holder.port, holder.pid) == (port, os.getpid())
    assert holder.command is not None and "pytest" in holder.command


def test_a_foreign_server_is_named_with_its_command(tmp_path: Path) -> None:
    port = free_port()
    with foreign_server(port, tmp_path) as process, pytest.raises(RuntimeBackendError) as caught:
        ensure_port_free("127.0.0.1", port, deployment="iris-api")
    command = " ".join(foreign_argv(port, tmp_path))
    assert caught.value.message == (
        f"cannot deploy 'iris-api': port {port} on 127.0.0.1 is already in use by "
        f"pid {process.pid} ({command})"
    )
    assert caught.value.hint == (
        "stop that process, or give the deployment a free port (spec.port of 'iris-api')"
    )


def test_a_holder_hidden_from_this_user_is_still_reported(tmp_path: Path) -> None:
    """Without a readable process table (another user's process, or not Linux) the port is
    still refused; the message just cannot name the process."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        holder = port_holder("127.0.0.1", port, proc=tmp_path)
    assert holder == PortHolder(port)
    assert holder.describe() == "another process (not visible to this user)"
