"""Git operations and pull requests: how a change made by a machine reaches a person's review.

- :func:`propose_change` (``pull_request``): commit files to a branch without touching the working
  tree, push it, and open (or update) the pull request; a compare URL when there is no token.
- :func:`upsert_comment` (``comment``): the single PR comment CI edits on every push.
- ``git``: plumbing on a temporary index; ``github``: the REST client; ``settings``: the
  ``GITHUB_*`` environment; ``redact``: keeps tokens out of messages; ``images``: a comment's
  images committed to a report branch of the same repository.
"""

from __future__ import annotations

from mlops_gitops.gitops.comment import DEFAULT_MARKER, CommentResult, upsert_comment
from mlops_gitops.gitops.pull_request import ProposalAction, ProposalResult, propose_change
from mlops_gitops.gitops.settings import GitHubSettings, pr_number_from_ref

__all__ = [
    "DEFAULT_MARKER",
    "CommentResult",
    "GitHubSettings",
    "ProposalAction",
    "ProposalResult",
    "pr_number_from_ref",
    "propose_change",
    "upsert_comment",
]
