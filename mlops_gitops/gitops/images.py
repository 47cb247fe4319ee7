"""Images for a pull-request comment, without a third-party host (as CML users expect them
inline): the files are committed to a report branch of the same repository
(``mlops/reports/pr-<N>``, on top of its previous commit, never forced) and the comment links
each one at that commit, so the picture a reviewer sees never changes under them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mlops_gitops.errors import GitOpsError
from mlops_gitops.gitops.git import (
    commit_files,
    fetch_commit,
    open_repo,
    push_commit,
    remote_heads,
    remote_url,
)
from mlops_gitops.gitops.settings import GitHubSettings
from mlops_gitops.layout import RELATIVE

__all__ = ["PublishedImages", "images_markdown", "publish_images", "report_branch"]

IMAGE_SUFFIXES = (".png", ".svg", ".jpg", ".jpeg", ".gif")


@dataclass(frozen=True)
class PublishedImages:
    branch: str
    commit: str
    urls: tuple[tuple[str, str], ...]
    """(file name, URL at the commit) per image, in name order."""


def report_branch(pr_number: int) -> str:
    return f"mlops/reports/pr-{pr_number}"


def _images(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        raise GitOpsError(
            f"The images folder {folder} does not exist.",
            hint="write the plots there first (e.g. copy the PNGs the pipeline made)",
        )
    found = {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
    }
    if not found:
        raise GitOpsError(
            f"The images folder {folder} holds no image ({', '.join(IMAGE_SUFFIXES)}).",
            hint="copy the plots to show into it, or drop --images",
        )
    return found


def publish_images(
    repo_root: Path,
    folder: Path,
    *,
    pr_number: int,
    remote: str = "origin",
    env: Mapping[str, str] = os.environ,
) -> PublishedImages:
    """Commit the images under ``folder`` to the pull request's report branch and push it."""
    images = _images(folder)
    repo = open_repo(repo_root)
    settings = GitHubSettings.from_env(env, remote_url=remote_url(repo, remote))
    if settings.repository is None:
        raise GitOpsError(
            "The repository is unknown, so the images cannot be linked.",
            hint="set GITHUB_REPOSITORY (GitHub Actions does) or use a GitHub remote",
        )
    branch = report_branch(pr_number)
    heads = remote_heads(repo, remote)
    start = branch if branch in heads.heads else heads.default_branch
    if start is None or start not in heads.heads:
        raise GitOpsError(
            f"Remote {remote!r} has neither {branch!r} nor a default branch to start it from.",
            hint=f"push a default branch to {remote!r} first",
        )
    parent = heads.heads[start]
    fetch_commit(repo, remote, start, parent)
    prefix = RELATIVE.posix(RELATIVE.pr_images(str(pr_number)))
    files = {f"{prefix}/{name}": data for name, data in images.items()}
    commit = commit_files(
        repo, parent=parent, files=files, message=f"Plots for pull request #{pr_number}"
    )
    if commit is not None:
        push_commit(repo, remote, commit, branch)
    at = commit or parent
    urls = tuple((name, settings.file_url(at, f"{prefix}/{name}") or "") for name in images)
    return PublishedImages(branch, at, urls)


def images_markdown(published: PublishedImages) -> str:
    lines = ["### Plots", ""]
    lines += [f"![{Path(name).stem}]({url})" for name, url in published.urls]
    return "\n".join(lines) + "\n"
