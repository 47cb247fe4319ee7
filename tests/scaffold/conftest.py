"""Run commands in a scaffolded project with this environment's tools first on PATH."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

VENV_BIN = str(Path(sys.executable).parent)


def run(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": VENV_BIN + os.pathsep + os.environ.get("PATH", "")}
    done = subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, env=env, check=False)
    if check and done.returncode != 0:
        raise AssertionError(
            f"{' '.join(args)} exited {done.returncode}\n"
            f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return done


def mlops(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return run(cwd, sys.executable, "-m", "mlops_gitops", *args, check=check)
