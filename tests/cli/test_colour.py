"""Colour in `mlops plan` and `mlops status` on a terminal; none when piped or with NO_COLOR."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from mlops_gitops.cli.deploy import render_status
from mlops_gitops.runtimes.base import RuntimeStatus

ESC = "\x1b["


def run_in_terminal(root: Path, *args: str, **env: str) -> str:
    """The command's stdout as a terminal shows it: stdout is a real pseudo-terminal."""
    leader, follower = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    environment.update({"TERM": "xterm-256color", **env})
    process = subprocess.Popen(
        [sys.executable, "-m", "mlops_gitops", "-C", str(root), *args],
        stdout=follower,
        stderr=subprocess.PIPE,
        env=environment,
    )
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process is done writing
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert process.wait(timeout=60) in (0, 2), process.stderr.read() if process.stderr else ""
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_plan_is_coloured_on_a_terminal_only(example_project: Path) -> None:
    coloured = run_in_terminal(example_project, "plan")
    assert f"{ESC}32m+ create {ESC}0m stage/ingest_breast-cancer" in coloured
    assert f"{ESC}1mPlan: " in coloured

    plain_env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    piped = subprocess.run(
        [sys.executable, "-m", "mlops_gitops", "-C", str(example_project), "plan"],
        capture_output=True,
        text=True,
        env=plain_env,
        check=False,
    ).stdout
    assert ESC not in piped and "  + create  stage/ingest_breast-cancer" in piped
    no_colour = run_in_terminal(example_project, "plan", NO_COLOR="1")
    assert ESC not in no_colour
    assert no_colour.strip() == piped.strip()


def test_status_colours_sync_and_health_and_keeps_columns_aligned() -> None:
    rows = [
        RuntimeStatus("api", "local", "http://127.0.0.1:8080", "Synced", "Healthy", "pid 4"),
        RuntimeStatus("other", "docker", "", "OutOfSync", "Degraded", "exited"),
    ]
    plain = render_status(rows)
    coloured = render_status(rows, colour=True)
    assert ESC not in plain
    assert f"{ESC}32mSynced{ESC}0m" in coloured and f"{ESC}31mDegraded{ESC}0m" in coloured
    assert f"{ESC}33mOutOfSync{ESC}0m" in coloured
    strip = coloured
    for code in ("32m", "31m", "33m", "0m"):
        strip = strip.replace(ESC + code, "")
    assert strip == plain
    assert plain.splitlines()[0].split() == ["NAME", "RUNTIME", "SYNC", "HEALTH", "URL", "DETAIL"]
