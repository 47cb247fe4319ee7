"""The demo shows a long command's output as it comes (``dvc repro`` runs for minutes)."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path
from typing import Any

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


def test_a_quiet_command_is_reported_as_still_working_while_it_is_quiet(tmp_path: Path) -> None:
    """The child stays quiet after "first" until the quiet callback has run: the callback comes
    during the silence, not after the command."""
    release = tmp_path / "release"
    events: list[str] = []

    def on_quiet(seconds: float) -> None:
        assert seconds >= 0
        events.append("quiet")
        if "first" in events:
            release.touch()

    streamed = stream_command(
        [sys.executable, "-c", CHILD, str(release)],
        cwd=tmp_path,
        env=os.environ,
        on_line=events.append,
        on_quiet=on_quiet,
        quiet_after=0.05,
    )

    assert streamed.returncode == 0, streamed.output
    between = events[events.index("first") + 1 : events.index("second")]
    assert between and set(between) == {"quiet"}  # (more may follow while the child exits)


def test_the_demo_names_the_stage_that_is_still_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("mlops_gitops.demo.QUIET_AFTER_S", 0.05)
    release = tmp_path / "release"
    script = (
        "import pathlib, sys, time\n"
        "print(\"Running stage 'train_lin-a':\")\n"
        "while not pathlib.Path(sys.argv[1]).exists(): time.sleep(0.02)\n"
    )
    demo = Demo(tmp_path, verbose=False)
    seen: list[str] = []

    def watch() -> None:  # the test's side of the child's wait: release once a notice showed
        out = capsys.readouterr().out
        seen.append(out)
        if "... stage train_lin-a: working" in "".join(seen):
            release.touch()

    monkeypatch.setattr(
        "mlops_gitops.demo.stream_command",
        _observed(stream_command, watch),
    )
    demo.run(sys.executable, "-c", script, str(release), cwd=tmp_path, stream=True)

    out = "".join(seen) + capsys.readouterr().out
    assert "  Running stage 'train_lin-a':\n  ... stage train_lin-a: working, " in out


def _observed(run: Any, watch: Any) -> Any:
    """``stream_command`` with ``watch`` called after each quiet notice."""

    def wrapped(*args: Any, on_quiet: Any, **kwargs: Any) -> Any:
        def quiet(seconds: float) -> None:
            on_quiet(seconds)
            watch()

        return run(*args, on_quiet=quiet, **kwargs)

    return wrapped


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
