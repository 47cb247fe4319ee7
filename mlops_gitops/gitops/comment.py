"""The one pull-request comment CI keeps up to date: found by a hidden marker, edited in place."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from mlops_gitops.errors import GitOpsError
from mlops_gitops.gitops.github import GitHubClient
from mlops_gitops.gitops.settings import GitHubSettings

__all__ = ["DEFAULT_MARKER", "CommentResult", "upsert_comment"]

DEFAULT_MARKER = "<!-- mlops-gitops -->"


@dataclass(frozen=True)
class CommentResult:
    """``created`` a new comment, ``updated`` the marked one, or left it ``unchanged``."""

    action: Literal["created", "updated", "unchanged"]
    comment_id: int
    url: str


def upsert_comment(
    pr_number: int,
    body: str,
    *,
    marker: str = DEFAULT_MARKER,
    env: Mapping[str, str] = os.environ,
) -> CommentResult:
    """Put ``body`` in the pull request's comment carrying ``marker``; create it if none does.

    The marker (an HTML comment, invisible on GitHub) is appended to ``body`` when missing, so the
    next call finds the same comment. Needs ``GITHUB_TOKEN`` and ``GITHUB_REPOSITORY`` in ``env``.
    """
    if pr_number < 1:
        raise GitOpsError(
            f"The 'pr_number' parameter of upsert_comment must be a positive integer. "
            f"Got {pr_number} instead.",
            hint="pass the pull request's number (--pr N)",
        )
    if not marker.strip():
        raise GitOpsError(
            "The 'marker' parameter of upsert_comment must not be empty.",
            hint="use a unique HTML comment, e.g. '<!-- mlops-plan -->'",
        )
    client = GitHubClient.from_settings(GitHubSettings.from_env(env))
    text = body if marker in body else f"{body.rstrip()}\n\n{marker}\n"
    existing = next((c for c in client.list_issue_comments(pr_number) if marker in c.body), None)
    if existing is None:
        created = client.create_issue_comment(pr_number, text)
        return CommentResult(action="created", comment_id=created.id, url=created.html_url)
    if existing.body == text:
        return CommentResult(action="unchanged", comment_id=existing.id, url=existing.html_url)
    updated = client.update_issue_comment(existing.id, text)
    return CommentResult(action="updated", comment_id=updated.id, url=updated.html_url)
