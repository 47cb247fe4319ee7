"""The command line that starts a real model server process in tests."""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["serve_argv"]


def serve_argv(model_dir: Path, port: int, *options: str, name: str = "churn") -> list[str]:
    """``python -m mlops_gitops.serving serve`` for ``model_dir`` on ``port``, then ``options``."""
    return [
        sys.executable,
        "-m",
        "mlops_gitops.serving",
        "serve",
        "--model-dir",
        str(model_dir),
        "--name",
        name,
        "--port",
        str(port),
        *options,
    ]
