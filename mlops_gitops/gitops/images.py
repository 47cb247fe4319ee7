"""Images for a pull-request comment, without a third-party host (as CML users expect them
inline): the files are committed to a report branch of the same repository
(``mlops/reports/pr-<N>``, on top of its previous commit, never forced) and the comment links
each one at that commit, so the picture a reviewer sees never changes under them.

When the token may not push (a pull request from a fork gets a read-only one, or the branch is
protected), the comment still names every image, each a link to the workflow run that holds
them as an artifact, and says why they are not shown."""

from __future__ import annotations

import glob
import os
from collections.abc import Mapping, Sequence
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
    commit: str | None
    """The report branch's commit that holds the images; None when the push was refused."""
    urls: tuple[tuple[str, str], ...]
    """(file name, URL) per image, in name order: the raw file at ``commit``, or (push refused)
    the workflow run's page, or "" when neither is known."""
    refused: str | None = None
    """Why the images could not be pushed (the git server's words), None when they were."""


def report_branch(pr_number: int) -> str:
    return f"mlops/reports/pr-{pr_number}"


def _is_pattern(source: str) -> bool:
    return any(char in source for char in "*?[")


def _name(path: Path, root: Path) -> str:
    """A file's name on the report branch: its path in the project (its file name when it is
    outside the project)."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def _images(sources: Sequence[Path | str], root: Path) -> dict[str, bytes]:
    """Image name -> bytes. Relative sources are read from ``root``, the project. A folder
    contributes the images under it (named relative to it), a file itself, a glob pattern
    (``reports/*/evaluate/*.png``) the images it matches (named by their project path). A
    pattern that matches nothing is fine, and so is no image at all when only patterns were
    given; a missing path or a folder without images is an error."""
    found: dict[str, bytes] = {}
    for source in sources:
        path = root / source  # an absolute source stays itself
        if _is_pattern(str(source)):
            # relative patterns are matched under root, whose own name may hold a "[" or "*"
            hits = glob.glob(str(source), root_dir=root, recursive=True)
            matches = [root / hit for hit in sorted(hits)]
            found.update(
                (_name(m, root), m.read_bytes())
                for m in matches
                if m.is_file() and m.suffix.lower() in IMAGE_SUFFIXES
            )
        elif path.is_file():
            found[_name(path, root)] = path.read_bytes()
        elif path.is_dir():
            found.update(
                (p.relative_to(path).as_posix(), p.read_bytes())
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
            )
        else:
            raise GitOpsError(
                f"The images path {source} does not exist.",
                hint="write the plots there first (e.g. copy the PNGs the pipeline made)",
            )
    if not found and not all(_is_pattern(str(s)) for s in sources):
        given = ", ".join(str(s) for s in sources)
        raise GitOpsError(
            f"No image ({', '.join(IMAGE_SUFFIXES)}) in {given}.",
            hint="copy the plots to show into it, or drop --images",
        )
    return dict(sorted(found.items()))


def publish_images(
    repo_root: Path,
    sources: Sequence[Path | str],
    *,
    pr_number: int,
    remote: str = "origin",
    env: Mapping[str, str] = os.environ,
) -> PublishedImages:
    """Commit the images of ``sources`` (folders, files, glob patterns) to the pull request's
    report branch and push it. A refused push is not an error: the result says why and links
    the workflow run instead."""
    images = _images(sources, repo_root)
    branch = report_branch(pr_number)
    if not images:  # only patterns, and none matched (a pipeline without such plots yet)
        return PublishedImages(branch, None, ())
    repo = open_repo(repo_root)
    settings = GitHubSettings.from_env(env, remote_url=remote_url(repo, remote))
    if settings.repository is None:
        raise GitOpsError(
            "The repository is unknown, so the images cannot be linked.",
            hint="set GITHUB_REPOSITORY (GitHub Actions does) or use a GitHub remote",
        )
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
        try:
            push_commit(repo, remote, commit, branch)
        except GitOpsError as refused:
            run = settings.run_url() or ""
            urls = tuple((name, run) for name in images)
            return PublishedImages(branch, None, urls, _reason(refused.message))
    at = commit or parent
    urls = tuple((name, settings.file_url(at, f"{prefix}/{name}") or "") for name in images)
    return PublishedImages(branch, at, urls)


def _reason(message: str) -> str:
    """The line of a failed push that says why: the server's own (``remote: Permission to
    o/r.git denied to github-actions[bot].``), else git's first line."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    said = [line.removeprefix("remote:").strip() for line in lines if line.startswith("remote:")]
    return next((line for line in said if line), lines[0] if lines else "push refused")


def _link(name: str, url: str) -> str:
    return f"[`{name}`]({url})" if url else f"`{name}`"


def images_markdown(published: PublishedImages) -> str:
    """The comment's plots section: each image inline under a link to its file; when the push
    was refused, a list of links to the run that holds them and the reason; nothing when
    there is no image."""
    if not published.urls:
        return ""
    lines = ["### Plots", ""]
    if published.refused is None:
        for name, url in published.urls:
            lines += [_link(name, url), "", f"![{Path(name).stem}]({url})", ""]
        return "\n".join(lines).rstrip("\n") + "\n"
    lines += [
        f"The plots are not shown inline: they could not be pushed to the branch "
        f"`{published.branch}` of this repository ({published.refused.rstrip('.')}). "
        "A pull request from a fork "
        "gets a read-only token. They are in the `plots` artifact of the workflow run:",
        "",
        *(f"- {_link(name, url)}" for name, url in published.urls),
    ]
    return "\n".join(lines) + "\n"
