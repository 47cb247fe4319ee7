"""Propose a change as a pull request: commit files to a branch, push it, open or update the PR.

One straight path. Everything that only reads (the remote's branches, GitHub's open pulls) and the
commit itself (objects only) happens first; the push is the single git side effect and comes after
all of that succeeded; GitHub is told about it last. The user's working tree, index and
checked-out branch are never touched, and no local branch is created.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from git import Repo

from mlops_gitops.errors import GitOpsError
from mlops_gitops.gitops.git import (
    check_branch_name,
    check_repo_path,
    commit_files,
    current_branch,
    fetch_commit,
    open_repo,
    push_commit,
    remote_heads,
    remote_url,
)
from mlops_gitops.gitops.github import GitHubClient, PullRequest
from mlops_gitops.gitops.settings import GitHubSettings

__all__ = ["FileLinks", "ProposalAction", "ProposalResult", "propose_change"]

ProposalAction = Literal["created", "updated", "pushed-only", "unchanged"]


@dataclass(frozen=True)
class ProposalResult:
    """What :func:`propose_change` did.

    ``action``: ``created`` (new PR), ``updated`` (an open PR under the prefix got the commit and
    a new title/body), ``pushed-only`` (no token: the branch was pushed, open ``compare_url``),
    ``unchanged`` (the files were already there and there was no PR to open or update).
    ``commit`` is the branch tip after the call; ``pushed`` says whether a new commit was pushed.
    """

    action: ProposalAction
    branch: str
    base: str
    commit: str
    pushed: bool
    pr_number: int | None = None
    pr_url: str | None = None
    compare_url: str | None = None


def propose_change(
    repo_root: Path,
    *,
    branch_prefix: str,
    branch: str,
    files: Mapping[str, bytes],
    message: str,
    title: str,
    body: str | Callable[[FileLinks], str],
    labels: Sequence[str] = (),
    remote: str = "origin",
    base: str | None = None,
    env: Mapping[str, str] = os.environ,
) -> ProposalResult:
    """Commit ``files`` (repo-relative path -> content) to ``branch`` and propose it for review.

    The commit goes on top of ``base`` (default: the remote's default branch, else the current
    branch) and is pushed to ``remote``. If GitHub already has an open pull request whose head
    branch starts with ``branch_prefix``, the commit goes on top of that PR's branch instead and
    the PR's title and body are replaced; otherwise a PR is opened and ``labels`` are added.
    Without ``GITHUB_TOKEN`` in ``env`` the branch is only pushed and a compare URL is returned.
    ``body`` may be a function of :class:`FileLinks`, called once the commit exists, so the body
    can show the committed images inline at that commit.
    A branch that already exists on the remote is extended, never force-pushed, so running
    again after a failure picks up where it stopped.
    """
    _check_arguments(
        branch_prefix=branch_prefix, branch=branch, files=files, message=message, title=title
    )
    repo = open_repo(repo_root)
    settings = GitHubSettings.from_env(env, remote_url=remote_url(repo, remote))
    client = GitHubClient.from_settings(settings) if settings.token else None

    heads = remote_heads(repo, remote)
    open_pr = _open_pull(client, settings, branch_prefix, branch) if client else None
    if open_pr is not None:
        target, base_branch = open_pr.head_ref, open_pr.base_ref
    else:
        target, base_branch = branch, base or heads.default_branch or _current_branch(repo)
    start_branch = target if target in heads.heads else base_branch
    if start_branch not in heads.heads:
        raise GitOpsError(
            f"Branch {start_branch!r} does not exist on remote {remote!r}.",
            hint=f"push it first (git push {remote} {start_branch}) or pass another base",
        )
    parent = heads.heads[start_branch]
    fetch_commit(repo, remote, start_branch, parent)
    new_commit = commit_files(repo, parent=parent, files=files, message=message)
    result = ProposalResult(
        action="unchanged",
        branch=target,
        base=base_branch,
        commit=new_commit or parent,
        pushed=new_commit is not None,
        compare_url=settings.compare_url(base_branch, target),
    )
    if new_commit is None and target not in heads.heads:
        return result  # nothing differs from the base: there is nothing to propose

    if new_commit is not None:
        push_commit(repo, remote, new_commit, target)
    if callable(body):
        body = body(FileLinks(result.commit, settings))
    if client is None:
        return _replace(result, action="pushed-only" if result.pushed else "unchanged")
    try:
        if open_pr is not None:
            pr = client.update_pull(open_pr.number, title=title, body=body)
            return _replace(result, action="updated", pr=pr)
        pr = client.create_pull(head=target, base=base_branch, title=title, body=body)
        if labels:
            client.add_labels(pr.number, labels)
        return _replace(result, action="created", pr=pr)
    except GitOpsError as error:
        raise GitOpsError(
            f"{error.message}\nBranch {target!r} is on {remote!r} at {result.commit[:12]}.",
            hint=f"{error.hint + '; then ' if error.hint else ''}run the command again: "
            "it reuses the pushed branch",
        ) from None


@dataclass(frozen=True)
class FileLinks:
    """Links to files of the proposal's commit on GitHub (None when the repository is unknown)."""

    commit: str
    settings: GitHubSettings

    def url(self, path: str) -> str | None:
        return self.settings.file_url(self.commit, path)

    def page(self, path: str) -> str | None:
        """The file's web page (Markdown shown rendered), not its raw bytes."""
        return self.settings.blob_url(self.commit, path)


def _replace(
    result: ProposalResult, *, action: ProposalAction, pr: PullRequest | None = None
) -> ProposalResult:
    return ProposalResult(
        action=action,
        branch=result.branch,
        base=result.base,
        commit=result.commit,
        pushed=result.pushed,
        pr_number=pr.number if pr else None,
        pr_url=pr.html_url if pr else None,
        compare_url=result.compare_url,
    )


def _open_pull(
    client: GitHubClient, settings: GitHubSettings, prefix: str, branch: str
) -> PullRequest | None:
    """The open PR from this repository whose head starts with ``prefix``: ``branch``'s own if
    there is one, else the newest."""
    own_repo = (settings.repository or "").lower()
    candidates = [
        pr
        for pr in client.list_open_pulls()
        if pr.head_ref.startswith(prefix) and (pr.head_repository or "").lower() == own_repo
    ]
    if not candidates:
        return None
    exact = [pr for pr in candidates if pr.head_ref == branch]
    return exact[0] if exact else max(candidates, key=lambda pr: pr.number)


def _current_branch(repo: Repo) -> str:
    name = current_branch(repo)
    if name is None:
        raise GitOpsError(
            "HEAD is detached and the remote has no default branch, so the base is unknown.",
            hint="pass base='main' (or the branch the pull request should target)",
        )
    return name


def _check_arguments(
    *, branch_prefix: str, branch: str, files: Mapping[str, bytes], message: str, title: str
) -> None:
    """Every problem with the arguments, reported together."""
    problems: list[str] = []
    for name, value in (("branch", branch), ("branch_prefix", branch_prefix.rstrip("/"))):
        try:
            check_branch_name(value)
        except GitOpsError as error:
            problems.append(f"The {name!r} parameter: {error.message}")
    if not branch.startswith(branch_prefix) or branch == branch_prefix:
        problems.append(
            f"The 'branch' parameter of propose_change must start with branch_prefix "
            f"{branch_prefix!r}. Got {branch!r} instead."
        )
    if not files:
        problems.append("The 'files' parameter of propose_change must name at least one file.")
    for path, content in files.items():
        try:
            check_repo_path(path)
        except GitOpsError as error:
            problems.append(error.message)
        if not isinstance(content, bytes):
            problems.append(
                f"The content of {path!r} must be bytes. Got {type(content).__name__} instead."
            )
    for name, value in (("message", message), ("title", title)):
        if not value.strip():
            problems.append(f"The {name!r} parameter of propose_change must not be empty.")
    if problems:
        raise GitOpsError(
            "\n".join(problems), hint="fix the arguments above and call propose_change again"
        )
