"""Where GitHub is and which repository we talk about, read from the environment once.

The variables are the ones GitHub Actions sets: ``GITHUB_API_URL``, ``GITHUB_SERVER_URL``,
``GITHUB_REPOSITORY`` (``owner/repo``), ``GITHUB_TOKEN``, ``GITHUB_REF`` and ``GITHUB_RUN_ID``.
Outside Actions the repository can be derived from a GitHub remote URL.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from mlops_gitops.errors import GitOpsError

__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_SERVER_URL",
    "GitHubSettings",
    "pr_number_from_ref",
    "repository_from_remote_url",
]

DEFAULT_API_URL = "https://api.github.com"
DEFAULT_SERVER_URL = "https://github.com"

_REPOSITORY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/[A-Za-z0-9._-]+$")
_SCP_LIKE = re.compile(r"^(?:[^@/\s]+@)?(?P<host>[^:/\s]+):(?P<path>[^\s]+)$")
_PULL_REF = re.compile(r"^refs/pull/(?P<number>[0-9]+)/(?:merge|head)$")


@dataclass(frozen=True)
class GitHubSettings:
    """GitHub endpoints, repository and token. The token never shows in ``repr``."""

    api_url: str = DEFAULT_API_URL
    server_url: str = DEFAULT_SERVER_URL
    repository: str | None = None
    token: str | None = field(default=None, repr=False)
    run_id: str | None = None
    """The workflow run this runs in (``GITHUB_RUN_ID``), for links to its page and artifacts."""

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, remote_url: str | None = None) -> GitHubSettings:
        """Read the ``GITHUB_*`` variables; an empty variable counts as unset.

        Without ``GITHUB_REPOSITORY`` the repository is taken from ``remote_url`` when that is a
        URL of the same GitHub server.
        """
        server_url = (env.get("GITHUB_SERVER_URL") or DEFAULT_SERVER_URL).rstrip("/")
        api_url = (env.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
        repository = env.get("GITHUB_REPOSITORY") or None
        if repository is not None and not _REPOSITORY.match(repository):
            raise GitOpsError(
                f"GITHUB_REPOSITORY must be 'owner/repo'. Got {repository!r} instead.",
                hint="set GITHUB_REPOSITORY=owner/repo, or unset it to use the remote's URL",
            )
        if repository is None and remote_url is not None:
            repository = repository_from_remote_url(remote_url, server_url=server_url)
        return cls(
            api_url=api_url,
            server_url=server_url,
            repository=repository,
            token=env.get("GITHUB_TOKEN") or None,
            run_id=env.get("GITHUB_RUN_ID") or None,
        )

    def file_url(self, commit: str, path: str) -> str | None:
        """The raw file ``path`` at ``commit`` (for an image in a pull request body: it shows
        inline, private repositories included, and never changes), or None without a repository."""
        if self.repository is None:
            return None
        return f"{self.server_url}/{self.repository}/raw/{commit}/{path}"

    def run_url(self) -> str | None:
        """The workflow run's page (its artifacts are listed there), or None outside a run."""
        if self.repository is None or self.run_id is None:
            return None
        return f"{self.server_url}/{self.repository}/actions/runs/{self.run_id}"

    def blob_url(self, commit: str, path: str) -> str | None:
        """The web page of file ``path`` at ``commit`` (Markdown rendered, with its images), or
        None without a repository."""
        if self.repository is None:
            return None
        return f"{self.server_url}/{self.repository}/blob/{commit}/{path}"

    def compare_url(self, base: str, head: str) -> str | None:
        """The web page comparing ``head`` with ``base``, or None when the repository is unknown."""
        if self.repository is None:
            return None
        return f"{self.server_url}/{self.repository}/compare/{base}...{head}"


def repository_from_remote_url(url: str, *, server_url: str = DEFAULT_SERVER_URL) -> str | None:
    """``owner/repo`` of a GitHub remote URL (https, ssh or ``git@host:owner/repo.git``).

    Returns None for a URL on another host (or a local path): that remote is not on GitHub.
    """
    hosts = {"github.com", (urlsplit(server_url).hostname or "").lower()}
    if "://" in url:
        parts = urlsplit(url)
        if parts.scheme not in {"https", "http", "ssh", "git"}:
            return None
        host, path = (parts.hostname or "").lower(), parts.path
    else:
        match = _SCP_LIKE.match(url)
        if match is None:
            return None
        host, path = match["host"].lower(), match["path"]
    if host not in hosts:
        return None
    path = path.strip("/")
    path = path.removesuffix(".git")
    return path if _REPOSITORY.match(path) else None


def pr_number_from_ref(ref: str | None) -> int | None:
    """The pull-request number of a ``refs/pull/N/merge`` (or ``/head``) ref, else None."""
    if not ref:
        return None
    match = _PULL_REF.match(ref)
    return int(match["number"]) if match else None
