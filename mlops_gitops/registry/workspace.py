"""Is the model in the working tree the one committed at HEAD?

A version tag names a commit, so registering is only honest when the model files and metrics in
the working tree are what that commit records: for git-tracked files, ``git status`` is clean;
for DVC outputs (the model file, usually), the file's md5 equals the one in HEAD's ``dvc.lock`` or
``.dvc`` file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from mlops_gitops.layout import RELATIVE
from mlops_gitops.registry.gitrepo import changed_paths
from mlops_gitops.registry.metric_files import metrics_paths
from mlops_gitops.registry.revision import RevisionFiles

if TYPE_CHECKING:
    import git

__all__ = ["model_folder", "uncommitted_model_changes"]


def model_folder(name: str) -> str:
    return RELATIVE.posix(RELATIVE.model_dir(name))


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def uncommitted_model_changes(repo: git.Repo, files: RevisionFiles, name: str) -> list[str]:
    """One line per model or metrics file that differs from HEAD (``files`` reads HEAD)."""
    root = Path(str(repo.working_tree_dir))
    folder = model_folder(name)
    paths = [folder, *metrics_paths(name)]
    problems = [
        f"{line[3:]} ({_status_word(line[:2])} in git)" for line in changed_paths(repo, paths)
    ]
    if files.uses_dvc and (root / folder).is_dir():
        ignored = _ignored(repo, root, folder)
        for rel in ignored:
            recorded = files.dvc_md5(rel)
            if recorded is None:
                problems.append(f"{rel} (neither committed to git nor tracked by DVC at HEAD)")
            elif recorded != _md5(root / rel):
                problems.append(f"{rel} (differs from the md5 DVC recorded at HEAD)")
    return problems


def _ignored(repo: git.Repo, root: Path, folder: str) -> list[str]:
    """Files under ``folder`` that git ignores (where DVC outputs live)."""
    candidates = sorted(
        p.relative_to(root).as_posix()
        for p in (root / folder).rglob("*")
        if p.is_file() and not p.name.endswith(".dvc") and p.name != ".gitignore"
    )
    if not candidates:
        return []
    import git

    try:
        output = repo.git.check_ignore("--", *candidates)
    except git.GitCommandError:  # exit status 1: none of them is ignored
        return []
    return [line for line in output.splitlines() if line]


def _status_word(code: str) -> str:
    if code == "??":
        return "untracked"
    if "D" in code:
        return "deleted"
    if "A" in code:
        return "added, not committed"
    return "modified"
