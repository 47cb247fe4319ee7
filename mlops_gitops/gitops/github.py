"""A small client for the GitHub REST endpoints the pull-request flow needs (standard library).

Every failure becomes a :class:`GitOpsError` that names the request, the HTTP status and GitHub's
own message, with the token removed. Responses are checked at this boundary and returned as frozen
dataclasses.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http.client import HTTPMessage
from typing import IO, Any
from urllib.parse import quote, urlencode, urlsplit

from mlops_gitops import __version__
from mlops_gitops.errors import GitOpsError
from mlops_gitops.gitops.redact import redact
from mlops_gitops.gitops.settings import GitHubSettings

__all__ = ["GitHubClient", "IssueComment", "PullRequest", "SameOriginAuthRedirect"]

_NEXT_LINK = re.compile(r'<(?P<url>[^>]+)>\s*;\s*rel="next"')
_PER_PAGE = 100
_MAX_PAGES = 50

_HINTS = {
    401: "check that GITHUB_TOKEN holds a valid token",
    403: "the token may lack permission; in GitHub Actions grant `permissions: contents: write, "
    "pull-requests: write` to the job",
    404: "check GITHUB_REPOSITORY (owner/repo) and that the token can see that repository",
    422: "GitHub refused the request as sent; see its message above",
}


class SameOriginAuthRedirect(urllib.request.HTTPRedirectHandler):
    """Follows redirects, carrying the token only to the same scheme, host and port."""

    def redirect_request(  # noqa: PLR0917 (signature fixed by urllib's base class)
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        auth = req.unredirected_hdrs.get("Authorization")
        if new is not None and auth and urlsplit(newurl)[:2] == urlsplit(req.full_url)[:2]:
            new.add_unredirected_header("Authorization", auth)
        return new


_OPENER = urllib.request.build_opener(SameOriginAuthRedirect)


@dataclass(frozen=True)
class PullRequest:
    number: int
    html_url: str
    state: str
    title: str
    body: str
    head_ref: str
    head_sha: str
    head_repository: str | None
    base_ref: str


@dataclass(frozen=True)
class IssueComment:
    id: int
    html_url: str
    body: str


@dataclass(frozen=True)
class GitHubClient:
    """Talks to ``{api_url}/repos/{repository}/...`` with a bearer token."""

    api_url: str
    repository: str
    token: str = field(repr=False)
    timeout: float = 30.0

    @classmethod
    def from_settings(cls, settings: GitHubSettings) -> GitHubClient:
        if settings.token is None:
            raise GitOpsError(
                "GITHUB_TOKEN is not set, so GitHub cannot be called.",
                hint="export GITHUB_TOKEN (in GitHub Actions: `env: GITHUB_TOKEN: "
                "${{ secrets.GITHUB_TOKEN }}`)",
            )
        if settings.repository is None:
            raise GitOpsError(
                "The GitHub repository is unknown.",
                hint="set GITHUB_REPOSITORY=owner/repo",
            )
        return cls(api_url=settings.api_url, repository=settings.repository, token=settings.token)

    # pulls -------------------------------------------------------------------------------------

    def list_open_pulls(self) -> list[PullRequest]:
        return [_pull(item) for item in self._get_all(self._repo_path("pulls"), {"state": "open"})]

    def create_pull(self, *, head: str, base: str, title: str, body: str) -> PullRequest:
        payload = {"head": head, "base": base, "title": title, "body": body}
        return _pull(self._request("POST", self._repo_path("pulls"), payload=payload)[0])

    def update_pull(self, number: int, *, title: str, body: str) -> PullRequest:
        payload = {"title": title, "body": body}
        path = self._repo_path(f"pulls/{number}")
        return _pull(self._request("PATCH", path, payload=payload)[0])

    def add_labels(self, number: int, labels: Sequence[str]) -> None:
        path = self._repo_path(f"issues/{number}/labels")
        self._request("POST", path, payload={"labels": list(labels)})

    # issue comments ------------------------------------------------------------------------------

    def list_issue_comments(self, number: int) -> list[IssueComment]:
        items = self._get_all(self._repo_path(f"issues/{number}/comments"), {})
        return [_comment(item) for item in items]

    def create_issue_comment(self, number: int, body: str) -> IssueComment:
        path = self._repo_path(f"issues/{number}/comments")
        return _comment(self._request("POST", path, payload={"body": body})[0])

    def update_issue_comment(self, comment_id: int, body: str) -> IssueComment:
        path = self._repo_path(f"issues/comments/{comment_id}")
        return _comment(self._request("PATCH", path, payload={"body": body})[0])

    # transport -----------------------------------------------------------------------------------

    def _repo_path(self, rest: str) -> str:
        owner, name = self.repository.split("/", 1)
        return f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}/{rest}"

    def _get_all(self, path: str, query: Mapping[str, str]) -> list[Any]:
        url: str | None = self._url(path, {**query, "per_page": str(_PER_PAGE)})
        items: list[Any] = []
        for _ in range(_MAX_PAGES):
            if url is None:
                return items
            page, headers = self._request_url("GET", url, None)
            if not isinstance(page, list):
                raise self._malformed("GET", path, "a JSON list")
            items.extend(page)
            url = self._next_page(headers.get("Link"))
        return items

    def _next_page(self, link: str | None) -> str | None:
        """The ``rel="next"`` URL of a Link header, only when it points at the same API server."""
        match = _NEXT_LINK.search(link or "")
        if match is None:
            return None
        url = match["url"]
        same_origin = urlsplit(url)[:2] == urlsplit(self.api_url)[:2]
        return url if same_origin else None

    def _url(self, path: str, query: Mapping[str, str]) -> str:
        suffix = f"?{urlencode(sorted(query.items()))}" if query else ""
        return f"{self.api_url.rstrip('/')}{path}{suffix}"

    def _request(
        self, method: str, path: str, *, payload: Mapping[str, Any] | None = None
    ) -> tuple[Any, Mapping[str, str]]:
        return self._request_url(method, self._url(path, {}), payload)

    def _request_url(
        self, method: str, url: str, payload: Mapping[str, Any] | None
    ) -> tuple[Any, Mapping[str, str]]:
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Accept", "application/vnd.github+json")
        request.add_header("X-GitHub-Api-Version", "2022-11-28")
        request.add_header("User-Agent", f"mlops-gitops/{__version__}")
        # Unredirected: urllib would send it on to any host a redirect names; see the handler.
        request.add_unredirected_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        secrets = [self.token]
        shown = redact(f"{method} {urlsplit(url).path}", secrets)
        try:
            with _OPENER.open(request, timeout=self.timeout) as response:
                raw = response.read()
                headers = dict(response.headers.items())
        except urllib.error.HTTPError as error:
            with error:
                raise self._http_error(shown, error) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise GitOpsError(
                redact(f"GitHub API {shown} could not reach {self.api_url}: {reason}", secrets),
                hint="check GITHUB_API_URL and the network connection",
            ) from None
        if not raw:
            return None, headers
        try:
            return json.loads(raw), headers
        except ValueError:
            raise self._malformed(method, urlsplit(url).path, "JSON") from None

    def _http_error(self, shown: str, error: urllib.error.HTTPError) -> GitOpsError:
        detail = _github_message(error.read())
        message = f"GitHub API {shown} failed: {error.code} {error.reason}"
        if detail:
            message += f": {detail}"
        return GitOpsError(redact(message, [self.token]), hint=_HINTS.get(error.code))

    def _malformed(self, method: str, path: str, expected: str) -> GitOpsError:
        return GitOpsError(
            f"GitHub API {method} {path} answered with something other than {expected}.",
            hint="check that GITHUB_API_URL points at a GitHub REST API",
        )


def _github_message(raw: bytes) -> str:
    """GitHub's ``message`` plus the messages of its ``errors`` list, or the start of the body."""
    try:
        document = json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace").strip()[:200]
    if not isinstance(document, dict):
        return ""
    parts = [str(document.get("message", "")).strip()]
    for item in document.get("errors") or []:
        if isinstance(item, dict):
            text = item.get("message") or " ".join(
                str(item[key]) for key in ("resource", "field", "code") if key in item
            )
            parts.append(str(text))
        else:
            parts.append(str(item))
    return "; ".join(part for part in parts if part)


def _pull(item: Any) -> PullRequest:
    try:
        head, base = item["head"], item["base"]
        repo = head.get("repo")
        return PullRequest(
            number=int(item["number"]),
            html_url=str(item["html_url"]),
            state=str(item["state"]),
            title=str(item.get("title") or ""),
            body=str(item.get("body") or ""),
            head_ref=str(head["ref"]),
            head_sha=str(head.get("sha") or ""),
            head_repository=str(repo["full_name"]) if isinstance(repo, dict) else None,
            base_ref=str(base["ref"]),
        )
    except (KeyError, TypeError, AttributeError, ValueError):
        raise GitOpsError(
            "GitHub API answered with a pull request lacking number, html_url, state, head "
            "or base.",
            hint="check that GITHUB_API_URL points at a GitHub REST API",
        ) from None


def _comment(item: Any) -> IssueComment:
    try:
        return IssueComment(
            id=int(item["id"]), html_url=str(item["html_url"]), body=str(item.get("body") or "")
        )
    except (KeyError, TypeError, ValueError):
        raise GitOpsError(
            "GitHub API answered with a comment lacking id or html_url.",
            hint="check that GITHUB_API_URL points at a GitHub REST API",
        ) from None
