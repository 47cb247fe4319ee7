"""The few git operations the registry needs, through GitPython, with user-facing errors."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mlops_gitops.errors import RegistryError

if TYPE_CHECKING:
    import git

__all__ = ["changed_paths", "commit_paths", "committer", "head_commit", "open_repo"]


def open_repo(root: Path) -> git.Repo:
    """The git repository whose work tree is ``root`` (or holds it)."""
    import git

    try:
        return git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as error:
        raise RegistryError(
            f"{root} is not in a git repository: the model registry lives in git tags",
            "run `git init` and commit the project, then try again",
        ) from error


def head_commit(repo: git.Repo) -> str:
    import git

    try:
        return repo.head.commit.hexsha
    except ValueError as error:  # an unborn branch: no commit yet
        raise RegistryError(
            f"the git repository {repo.working_tree_dir} has no commit yet",
            "commit the project (specs, dvc.lock, metrics) first",
        ) from error
    except git.GitCommandError as error:  # pragma: no cover - a broken repository
        raise RegistryError(f"cannot read HEAD of {repo.working_tree_dir}: {error}") from error


def committer(repo: git.Repo) -> tuple[str, str]:
    """Name and email git would use for a tag (honours GIT_CONFIG_GLOBAL and GIT_COMMITTER_*).

    GTO creates tags through pygit2, which reads neither ``GIT_CONFIG_GLOBAL`` nor the system
    config, so the registry asks the git command line and passes the identity along.
    """
    import git

    try:
        ident = repo.git.var("GIT_COMMITTER_IDENT")
    except git.GitCommandError as error:
        raise RegistryError(
            "git has no identity to sign registry tags with",
            'run `git config user.name "Your Name"` and `git config user.email you@example.com`',
        ) from error
    name, _, rest = ident.partition(" <")
    email = rest.partition(">")[0]
    return name.strip(), email.strip()


def changed_paths(repo: git.Repo, paths: Sequence[str]) -> list[str]:
    """``git status`` lines (``XY path``) for uncommitted or untracked (not ignored) ``paths``."""
    if not paths:
        return []
    output = repo.git.status("--porcelain", "--untracked-files=all", "--", *paths)
    return [line for line in output.splitlines() if line.strip()]


def commit_paths(repo: git.Repo, paths: Sequence[str], message: str) -> str:
    """Commit ``paths`` only (whatever else is staged stays staged); return the new commit."""
    repo.git.add("--", *paths)
    repo.git.commit("-m", message, "--only", "--", *paths)
    return repo.head.commit.hexsha
