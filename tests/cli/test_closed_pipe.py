"""Output to a closed pipe (`mlops plan --format json | head -1`) ends quietly: no traceback,
exit 141 (128 + SIGPIPE), as a shell reports for a writer whose reader went away."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize(
    "args",
    [
        ("validate", "--format", "json"),
        ("get", "--format", "json"),
        ("graph",),
        ("plan", "--format", "json"),
        ("status", "--format", "json"),
    ],
    ids=" ".join,
)
def test_a_closed_pipe_ends_quietly(example_project: Path, args: tuple[str, ...]) -> None:
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first byte is written
    try:
        result = subprocess.run(
            [sys.executable, "-m", "mlops_gitops", "-C", str(example_project), *args],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write)
    assert result.stderr == ""
    assert result.returncode == 141


def test_head_reads_the_first_line(example_project: Path) -> None:
    command = f"{sys.executable} -m mlops_gitops -C {example_project} get --format json | head -1"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, check=False
    )
    assert result.stdout == "[\n"
    assert result.stderr == ""
    assert result.returncode in (0, 141)  # 141 when mlops was still writing as head left
