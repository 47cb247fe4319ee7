"""`mlops completion bash|zsh|fish`: scripts generated from the parser, run by the real shells."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlops_gitops.cli import build_parser

COMMANDS = sorted(
    name
    for action in build_parser()._subparsers._group_actions  # type: ignore[union-attr]
    for name in getattr(action, "choices", {}) or {}
)


def script(shell: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "mlops_gitops", "completion", shell],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def bash_complete(path: Path, *words: str) -> list[str]:
    line = " ".join(words)
    code = (
        f"source {path}; COMP_WORDS=({' '.join(repr(w) for w in words)}); "
        f"COMP_CWORD={len(words) - 1}; COMP_LINE={line!r}; COMP_POINT={len(line)}; "
        '_shtab_mlops; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    done = subprocess.run(["bash", "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_bash_completes_commands_options_and_choices(tmp_path: Path) -> None:
    path = tmp_path / "mlops.bash"
    path.write_text(script("bash"))
    assert {"plan", "apply", "completion", "drift", "explain"} <= set(COMMANDS)
    assert bash_complete(path, "mlops", "pl") == ["plan"]
    assert bash_complete(path, "mlops", "plan", "--for") == ["--format"]
    assert bash_complete(path, "mlops", "plan", "--format", "") == ["text", "json", "markdown"]
    assert bash_complete(path, "mlops", "completion", "") == ["bash", "zsh", "fish"]
    assert sorted(bash_complete(path, "mlops", "")) == COMMANDS


def test_zsh_script_names_every_command() -> None:
    text = script("zsh")
    assert text.startswith("#compdef mlops")
    for command in COMMANDS:
        assert f"\n    {command}:'" in text, command
    if shutil.which("zsh"):
        subprocess.run(["zsh", "-n", "-c", text], check=True)


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed here")
def test_fish_completes_commands(tmp_path: Path) -> None:
    path = tmp_path / "mlops.fish"
    path.write_text(script("fish"))
    done = subprocess.run(
        ["fish", "--no-config", "-c", f"source {path}; complete -C 'mlops pl'"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert [line.split("\t")[0] for line in done.stdout.splitlines()] == ["plan"]


def test_fish_script_names_every_command() -> None:
    text = script("fish")
    for command in COMMANDS:
        assert f"-eq 0' -a {command} -d " in text, command
