"""The demo shows a long command's output as it comes (``dvc repro`` runs for minutes)."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest

from mlops_gitops.demo import Demo, DemoFailed, stream_command

# Prints a line (without flushing: the runner must make Python children unbuffered), then
# waits until the file named by argv[1] exists, then prints again. A runner that reads the
# output only when the command ends never sees "first" in time, and the child gives up.
CHILD = textwrap.dedent(
    """
    import pathlib, sys, time
    print("first")
    release = pathlib.Path(sys.argv[1])
    deadline = time.monotonic() + 120
    while not release.exists():
        if time.monotonic() > deadline:
            print("never released")
            sys.exit(3)
        time.sleep(0.02)
    print("second", file=sys.stderr)
    """
)


def test_lines_reach_the_caller_while_the_command_still_runs(tmp_path: Path) -> None:
    release = tmp_path / "release"
    seen: list[tuple[str, bool]] = []

    def on_line(line: str) -> None:
        seen.append((line, release.exists()))
        if line == "first":
            release.touch()  # only now may the child go on and finish

    streamed = stream_command(
        [sys.executable, "-c", CHILD, str(release)], cwd=tmp_path, env=os.environ, on_line=on_line
    )

    assert streamed.returncode == 0, streamed.output
    assert seen == [("first", False), ("second", True)]  # stderr arrives in the same stream
    assert streamed.output == "first\nsecond"
    assert streamed.tail == ("first", "second")


def test_a_failing_streamed_command_fails_the_demo_with_its_last_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = Demo(tmp_path, verbose=False)
    script = "[print(f'line {i}') for i in range(40)]; raise SystemExit(2)"

    with pytest.raises(DemoFailed) as failed:
        demo.run(sys.executable, "-c", script, cwd=tmp_path, stream=True)

    out = capsys.readouterr().out
    assert all(f"  line {i}\n" in out for i in range(40))  # every line was shown, not a head
    message = str(failed.value)
    assert message.startswith(f"`{sys.executable} -c {script}` exited 2; its last lines:\n")
    assert message.splitlines()[1:] == [f"  line {i}" for i in range(15, 40)]
