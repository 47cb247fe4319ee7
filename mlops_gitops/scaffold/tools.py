"""The git and DVC commands ``mlops init`` runs, as subprocesses of this environment's tools."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from mlops_gitops.errors import MlopsError
from mlops_gitops.io.commands import dvc_command

__all__ = [
    "add_default_remote",
    "dvc_init",
    "git_hook_path",
    "git_init",
    "git_toplevel",
    "has_default_remote",
]


def _git() -> str:
    found = shutil.which("git")
    if found is None:
        raise MlopsError("git is not installed", "install git, then run `mlops init` again")
    return found


def _run(command: list[str], cwd: Path) -> str:
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as error:
        raise MlopsError(
            f"could not run {command[0]}: {error}", "check the installation of git and DVC"
        ) from None
    if done.returncode != 0:
        shown = " ".join(Path(command[0]).name if i == 0 else c for i, c in enumerate(command))
        raise MlopsError(
            f"`{shown}` failed in {cwd} (exit {done.returncode}): "
            f"{(done.stderr or done.stdout).strip()}",
            "fix the problem above, then run `mlops init` again; files already written are kept",
        )
    return done.stdout.strip()


def git_toplevel(directory: Path) -> Path | None:
    """The root of the git work tree holding ``directory``, or None outside any."""
    done = subprocess.run(
        [_git(), "rev-parse", "--show-toplevel"],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
    )
    return Path(done.stdout.strip()).resolve() if done.returncode == 0 else None


def git_init(directory: Path) -> None:
    _run([_git(), "init", "--quiet"], directory)


def git_hook_path(directory: Path) -> Path:
    """Where git looks for the pre-commit hook (honours ``core.hooksPath``)."""
    relative = _run([_git(), "rev-parse", "--git-path", "hooks/pre-commit"], directory)
    return (directory / relative).resolve()


def dvc_init(directory: Path, *, subdir: bool) -> None:
    _run([*dvc_command(), "init", "--quiet", *(["--subdir"] if subdir else [])], directory)
    _run([*dvc_command(), "config", "core.autostage", "true"], directory)


def has_default_remote(directory: Path) -> bool:
    done = subprocess.run(
        [*dvc_command(), "remote", "default"],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode == 0 and bool(done.stdout.strip())


def add_default_remote(directory: Path, name: str, url: str, *, replace: bool = False) -> None:
    force = ["--force"] if replace else []
    _run([*dvc_command(), "remote", "add", "--default", *force, name, url], directory)
