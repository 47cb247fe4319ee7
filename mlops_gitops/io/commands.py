"""The external commands this project runs as subprocesses, taken from this environment."""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["dvc_command"]


def dvc_command() -> list[str]:
    """``dvc`` next to this Python (the same environment), else ``python -m dvc``."""
    beside = Path(sys.executable).parent / "dvc"
    return [str(beside)] if beside.is_file() else [sys.executable, "-m", "dvc"]
