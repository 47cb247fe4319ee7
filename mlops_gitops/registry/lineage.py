"""Lineage of a trained model: what code, data, parameters and environment produced it.

The train stage builds it with :func:`build_lineage` and writes ``models/<experiment>/lineage.json``
with :func:`write_lineage`; the model card and people read it.
"""

from __future__ import annotations

import json
import platform
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from mlops_gitops import __version__
from mlops_gitops.fsutil import atomic_write_text
from mlops_gitops.layout import LINEAGE_FILE, RELATIVE, ProjectLayout

__all__ = [
    "LINEAGE_FILE",
    "build_lineage",
    "dvc_data_version",
    "git_state",
    "installed_packages",
    "write_lineage",
]


def git_state(root: Path) -> dict[str, Any]:
    """``commit`` and ``dirty`` of the repository holding ``root``; nulls and a note outside one."""
    import git

    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return {"commit": None, "dirty": None, "note": f"{root} is not in a git repository"}
    try:
        commit: str | None = repo.head.commit.hexsha
    except ValueError:
        commit = None
    state: dict[str, Any] = {
        "commit": commit,
        "dirty": repo.is_dirty(untracked_files=False),
        "branch": None if repo.head.is_detached else repo.active_branch.name,
    }
    if commit is None:
        state["note"] = "the repository has no commit yet"
    elif state["dirty"]:
        state["note"] = (
            "tracked files had uncommitted changes: the commit alone does not reproduce it"
        )
    return state


def installed_packages() -> dict[str, str]:
    """Every installed distribution -> version, sorted by lower-cased name."""
    found: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found.setdefault(str(name), str(dist.version))
    return dict(sorted(found.items(), key=lambda item: item[0].lower()))


def dvc_data_version(root: Path, dataset: str) -> str | None:
    """The md5 ``dvc.lock`` records for ``data/<dataset>/raw.parquet``, if it records one."""
    import yaml

    lock = ProjectLayout(root).dvc_lock()
    if not lock.is_file():
        return None
    try:
        data = yaml.safe_load(lock.read_text())
    except yaml.YAMLError:
        return None
    wanted = RELATIVE.posix(RELATIVE.raw_data(dataset))
    stages = data.get("stages", {}) if isinstance(data, dict) else {}
    for stage in stages.values() if isinstance(stages, dict) else ():
        for out in (stage or {}).get("outs", []) or []:
            if isinstance(out, dict) and out.get("path") == wanted and out.get("md5"):
                return str(out["md5"])
    return None


def build_lineage(
    root: Path,
    *,
    experiment: str,
    dataset_hash: str,
    dvc_data_version: str | None,
    params: Mapping[str, Any],
    metrics: Mapping[str, Any],
    durations: Mapping[str, float],
) -> dict[str, Any]:
    """The lineage record (JSON-ready, deterministic but for ``created`` and ``git``)."""
    return {
        "experiment": experiment,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "git": git_state(root),
        "data": {"hash": dataset_hash, "dvc_version": dvc_data_version},
        "params": dict(params),
        "metrics": dict(metrics),
        "durations_s": {k: float(v) for k, v in durations.items()},
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            "executable": sys.executable,
        },
        "platform": platform.platform(),
        "framework": {"name": "mlops-gitops", "version": __version__},
        "packages": installed_packages(),
    }


def write_lineage(directory: Path, lineage: Mapping[str, Any]) -> Path:
    """Write ``<directory>/lineage.json`` atomically; return its path."""
    path = directory / LINEAGE_FILE
    atomic_write_text(path, json.dumps(lineage, indent=2, sort_keys=True, default=str) + "\n")
    return path
