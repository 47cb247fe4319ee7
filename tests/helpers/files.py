"""Write several files of a project in one call."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

__all__ = ["write_files"]


def write_files(root: Path, files: Mapping[str, str]) -> None:
    """Each ``relative path: text`` under ``root``, creating folders as needed."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
