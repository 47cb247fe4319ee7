"""Which registered version a model folder holds: ``registered.json`` beside ``model.json``.

The registry writes it when it checks a version out (``.mlops/models/<name>/<version>/``); the
server reads it so V2's ``model_version`` is the registry version (``v0.1.0``) that `mlops models
list` and GTO show. A folder without it (an experiment's latest model) has no registry version.
"""

from __future__ import annotations

import json
from pathlib import Path

from mlops_gitops.fsutil import atomic_write_text

__all__ = ["REGISTERED_FILE", "read_registered_version", "write_registered"]

REGISTERED_FILE = "registered.json"


def write_registered(directory: Path, *, name: str, version: str, commit: str) -> Path:
    path = directory / REGISTERED_FILE
    record = {"name": name, "version": version, "commit": commit}
    atomic_write_text(path, json.dumps(record, indent=2, sort_keys=True) + "\n")
    return path


def read_registered_version(directory: Path) -> str | None:
    """The registry version recorded in ``directory``; None when there is none (or it is not a
    readable record: the server then names the model by its content hash, as before)."""
    path = directory / REGISTERED_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = record.get("version") if isinstance(record, dict) else None
    return version if isinstance(version, str) and version else None
