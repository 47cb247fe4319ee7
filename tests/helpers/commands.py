"""Run git, dvc and the ``mlops`` CLI as a user would: real processes, with this environment's
tools first on PATH. A failed command raises ``AssertionError`` carrying its output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

__all__ = ["VENV_BIN", "dvc", "git", "mlops", "run_env", "sh"]

VENV_BIN = str(Path(sys.executable).parent)


def run_env() -> dict[str, str]:
    """The test process's environment with this virtualenv's ``bin`` first on PATH."""
    env = dict(os.environ)
    env["PATH"] = VENV_BIN + os.pathsep + env.get("PATH", "")
    return env


def sh(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``args`` in ``cwd``; with ``check``, a non-zero exit fails the test with its output."""
    done = subprocess.run(
        list(args), cwd=cwd, capture_output=True, text=True, env=run_env(), check=False
    )
    if check and done.returncode != 0:
        raise AssertionError(
            f"{' '.join(args)} exited {done.returncode}\n"
            f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return done


def mlops(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """``python -m mlops_gitops ARGS`` in ``cwd``."""
    return sh(cwd, sys.executable, "-m", "mlops_gitops", *args, check=check)


def git(cwd: Path, *args: str) -> str:
    """``git ARGS`` in ``cwd``; its standard output, stripped."""
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


def dvc(cwd: Path, *args: str) -> str:
    """``dvc ARGS`` in ``cwd`` (this environment's dvc); its standard output."""
    return sh(cwd, str(Path(VENV_BIN) / "dvc"), *args).stdout
