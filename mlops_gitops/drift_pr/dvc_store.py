"""Put a new dataset version's bytes into DVC's cache and default remote, without leaving a trace
in the user's work tree.

The data file and its ``.dvc`` pointer are written into the work tree only for as long as
``dvc commit`` (cache) and ``dvc push`` (remote) take, then removed, and the folder's
``.gitignore`` (which ``dvc commit`` extends) is put back as it was. Git never sees them: the
pointer reaches git through the pull request; the bytes reach CI through ``dvc pull``. This runs
before anything is pushed to git, so a pointer is never published before its data.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mlops_gitops.drift_pr.dataset_version import DatasetVersion
from mlops_gitops.errors import DriftError
from mlops_gitops.fsutil import atomic_write_bytes, atomic_write_text
from mlops_gitops.io.commands import dvc_command

__all__ = ["Stored", "dvc_root", "store_in_dvc"]


@dataclass(frozen=True)
class Stored:
    """Where the bytes went: ``remote`` is None when DVC has no default remote (cache only)."""

    cached: bool
    remote: str | None


def dvc_root(root: Path) -> Path | None:
    """The folder holding ``.dvc/`` at or above ``root``, or None (not a DVC project)."""
    for folder in (root, *root.parents):
        if (folder / ".dvc").is_dir():
            return folder
        if (folder / ".git").exists():
            return None
    return None


def store_in_dvc(root: Path, version: DatasetVersion) -> Stored:
    """``dvc commit`` the version into the cache and ``dvc push`` it to the default remote."""
    data, pointer = root / version.path, root / version.dvc_path
    with _restored(data, pointer, root / version.gitignore_path):  # dvc commit edits .gitignore
        atomic_write_bytes(data, version.content)
        atomic_write_text(pointer, version.dvc_file)
        _dvc(root, "commit", "--force", "--quiet", str(pointer))
        remote = _dvc(root, "remote", "default", check=False).strip() or None
        if remote is not None:
            _dvc(root, "push", "--quiet", str(pointer))
    return Stored(cached=True, remote=remote)


def _dvc(root: Path, *args: str, check: bool = True) -> str:
    try:
        done = subprocess.run(
            [*dvc_command(), *args], cwd=root, capture_output=True, text=True, check=False
        )
    except OSError as error:
        raise DriftError(f"could not run dvc: {error}", "install DVC (pip install dvc)") from None
    if check and done.returncode != 0:
        raise DriftError(
            f"`dvc {' '.join(args[:1])}` failed for the new dataset version (exit "
            f"{done.returncode}): {(done.stderr or done.stdout).strip()}",
            "fix the DVC problem above (`dvc doctor`, `dvc remote list`), then run "
            "`mlops drift pr` again; nothing was pushed to git",
        )
    return done.stdout if done.returncode == 0 else ""


@contextlib.contextmanager
def _restored(*paths: Path) -> Iterator[None]:
    """Put ``paths`` back as they were (absent or with their old bytes) on the way out."""
    before = {p: p.read_bytes() if p.is_file() else None for p in paths}
    try:
        yield
    finally:
        for path, content in before.items():
            if content is None:
                path.unlink(missing_ok=True)
            else:
                atomic_write_bytes(path, content)
