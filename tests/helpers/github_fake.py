"""A fake GitHub REST API: a real HTTP server on 127.0.0.1 with in-memory pulls, labels, comments.

Use it as a context manager (or through a pytest fixture)::

    with FakeGitHub(repository="octo/demo", token="t0k3n") as gh:
        env = gh.env()  # GITHUB_API_URL, GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_TOKEN
        ...  # the code under test talks HTTP to gh.url
        assert gh.open_pulls()[0]["head"]["ref"] == "mlops/drift/churn/2024-05-01"
        assert [r.method for r in gh.requests] == [...]

Endpoints (all under ``/repos/{owner}/{repo}``): ``GET/POST /pulls``, ``GET/PATCH /pulls/{n}``,
``POST /issues/{n}/labels``, ``GET/POST /issues/{n}/comments``, ``PATCH /issues/comments/{id}``.
Lists honour ``per_page``/``page`` and send a ``Link: <...>; rel="next"`` header like GitHub.
Requests without ``Authorization: Bearer <token>`` get 401, another repository 404, a second open PR
for the same head 422, each with GitHub's error shape. When ``git_remote`` (a bare repository) is
given, a PR's head and base must be branches there and ``head.sha`` is the branch's real tip.
:meth:`FakeGitHub.fail` makes the next matching request fail with a chosen status.

The web host's raw files are served too (``GET /{owner}/{repo}/raw/{commit}/{path}``, the bytes
of ``path`` at ``commit`` in ``git_remote``, 404 when absent), so a test can fetch the image
URLs a comment carries: :meth:`FakeGitHub.web` turns a ``server_url`` address into one here.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["FakeGitHub", "RecordedRequest"]

_DOCS = "https://docs.github.com/rest"


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class _Failure:
    method: str
    path: re.Pattern[str]
    status: int
    message: str
    times: int


@dataclass
class _State:
    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    labels: dict[int, list[str]] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    failures: list[_Failure] = field(default_factory=list)
    next_number: int = 1
    next_comment_id: int = 1001


class _HTTPError(Exception):
    def __init__(self, status: int, message: str, errors: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.status = status
        self.document: dict[str, Any] = {"message": message, "documentation_url": _DOCS}
        if errors:
            self.document["errors"] = errors
        self.headers: dict[str, str] = {}


class FakeGitHub:
    """GitHub's REST API for one repository, served on ``self.url`` until :meth:`close`."""

    def __init__(
        self,
        *,
        repository: str = "octo/demo",
        token: str = "fake-token-do-not-leak",
        server_url: str = "https://github.example",
        login: str = "github-actions[bot]",
        git_remote: Path | None = None,
    ) -> None:
        self.repository = repository
        self.token = token
        self.server_url = server_url
        self.login = login
        self.git_remote = git_remote
        self._state = _State()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        host, port = self._server.server_address[:2]
        self.url = f"http://{host!s}:{port}"

    # lifecycle -----------------------------------------------------------------------------------

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeGitHub:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def env(self, *, token: bool = True) -> dict[str, str]:
        """The ``GITHUB_*`` variables GitHub Actions would set, pointing at this server."""
        env = {
            "GITHUB_API_URL": self.url,
            "GITHUB_SERVER_URL": self.server_url,
            "GITHUB_REPOSITORY": self.repository,
        }
        if token:
            env["GITHUB_TOKEN"] = self.token
        return env

    def web(self, url: str) -> str:
        """``url`` on the web host (``server_url``) as an address this server answers."""
        assert url.startswith(self.server_url + "/"), url
        return self.url + url[len(self.server_url) :]

    # state, read by tests ------------------------------------------------------------------------

    @property
    def pulls(self) -> dict[int, dict[str, Any]]:
        """Every pull request by number (a copy)."""
        with self._lock:
            return copy.deepcopy(self._state.pulls)

    @property
    def comments(self) -> dict[int, dict[str, Any]]:
        """Every issue comment by id (a copy); ``issue_number`` says which PR it is on."""
        with self._lock:
            return copy.deepcopy(self._state.comments)

    @property
    def labels(self) -> dict[int, list[str]]:
        """Label names by issue number (a copy)."""
        with self._lock:
            return {number: list(names) for number, names in self._state.labels.items()}

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, in order (a copy)."""
        with self._lock:
            return list(self._state.requests)

    def open_pulls(self) -> list[dict[str, Any]]:
        return [pr for pr in self.pulls.values() if pr["state"] == "open"]

    def comments_on(self, number: int) -> list[dict[str, Any]]:
        return [c for c in self.comments.values() if c["issue_number"] == number]

    # state, arranged by tests --------------------------------------------------------------------

    def add_pull(
        self,
        *,
        head: str,
        base: str = "main",
        title: str = "a pull request",
        body: str = "",
        state: str = "open",
        head_repository: str | None = None,
        head_sha: str = "0" * 40,
    ) -> dict[str, Any]:
        """Seed a pull request (e.g. a closed one, or one from a fork) without HTTP."""
        with self._lock:
            pr = self._new_pull(head, base, title, body, head_sha, head_repository)
            pr["state"] = state
            return dict(pr)

    def add_comment(self, number: int, body: str, *, login: str = "someone") -> dict[str, Any]:
        """Seed a comment on issue/PR ``number`` written by ``login``."""
        with self._lock:
            return dict(self._new_comment(number, body, login))

    def fail(self, method: str, path: str, status: int, message: str, *, times: int = 1) -> None:
        """Answer the next ``times`` requests of ``method`` on a path matching regex ``path``
        with ``status`` and GitHub's error shape carrying ``message``."""
        with self._lock:
            failure = _Failure(method.upper(), re.compile(path), status, message, times)
            self._state.failures.append(failure)

    # request handling (server threads) ------------------------------------------------------------

    def _handle(
        self, method: str, raw_path: str, headers: dict[str, str], body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        parts = urlsplit(raw_path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        with self._lock:
            self._state.requests.append(
                RecordedRequest(method, parts.path, query, dict(headers), body)
            )
            try:
                self._check_auth(headers)
                self._injected_failure(method, parts.path)
                return self._route(method, parts.path, query, body)
            except _HTTPError as error:
                return error.status, error.document, error.headers

    def raw_file(self, path: str) -> bytes | None:
        """The bytes behind ``/{owner}/{repo}/raw/{commit}/{file}``, or None (GitHub's 404)."""
        match = re.fullmatch(rf"/{re.escape(self.repository)}/raw/([0-9a-f]{{40}})/(.+)", path)
        if match is None or self.git_remote is None:
            return None
        done = subprocess.run(
            ["git", "cat-file", "blob", f"{match[1]}:{match[2]}"],
            cwd=self.git_remote,
            capture_output=True,
            check=False,
        )
        return done.stdout if done.returncode == 0 else None

    def _check_auth(self, headers: dict[str, str]) -> None:
        if headers.get("authorization") != f"Bearer {self.token}":
            raise _HTTPError(401, "Bad credentials")

    def _injected_failure(self, method: str, path: str) -> None:
        for failure in self._state.failures:
            if failure.times > 0 and failure.method == method and failure.path.search(path):
                failure.times -= 1
                raise _HTTPError(failure.status, failure.message)

    def _route(
        self, method: str, path: str, query: dict[str, str], body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        prefix = f"/repos/{self.repository}/"
        if not path.lower().startswith(prefix.lower()):
            raise _HTTPError(404, "Not Found")
        rest = path[len(prefix) :]
        routes: list[tuple[str, str, Any]] = [
            ("GET", r"pulls", lambda: self._list(self._filter_pulls(query), query, path)),
            ("POST", r"pulls", lambda: (201, self._create_pull(body), {})),
            ("GET", r"pulls/(\d+)", lambda n: (200, self._pull(n), {})),
            ("PATCH", r"pulls/(\d+)", lambda n: (200, self._update_pull(n, body), {})),
            ("POST", r"issues/(\d+)/labels", lambda n: (200, self._add_labels(n, body), {})),
            ("GET", r"issues/(\d+)/comments", lambda n: self._list_comments(n, query, path)),
            ("POST", r"issues/(\d+)/comments", lambda n: (201, self._comment(n, body), {})),
            ("PATCH", r"issues/comments/(\d+)", lambda i: (200, self._edit_comment(i, body), {})),
        ]
        for route_method, pattern, action in routes:
            match = re.fullmatch(pattern, rest)
            if match and route_method == method:
                result: tuple[int, Any, dict[str, str]] = action(*map(int, match.groups()))
                return result
        raise _HTTPError(404, "Not Found")

    def _list(
        self, items: list[dict[str, Any]], query: dict[str, str], path: str
    ) -> tuple[int, Any, dict[str, str]]:
        per_page = min(int(query.get("per_page", "30")), 100)
        page = int(query.get("page", "1"))
        chunk = items[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(items):
            rest = {**query, "page": str(page + 1)}
            link_query = "&".join(f"{k}={v}" for k, v in sorted(rest.items()))
            headers["Link"] = f'<{self.url}{path}?{link_query}>; rel="next"'
        return 200, chunk, headers

    def _filter_pulls(self, query: dict[str, str]) -> list[dict[str, Any]]:
        state = query.get("state", "open")
        head = query.get("head")
        found = []
        for pr in sorted(self._state.pulls.values(), key=lambda p: -int(p["number"])):
            if state != "all" and pr["state"] != state:
                continue
            if head is not None and head != pr["head"]["label"]:
                continue
            found.append(pr)
        return found

    def _create_pull(self, body: Any) -> dict[str, Any]:
        missing = [k for k in ("title", "head", "base") if not isinstance(body.get(k), str)]
        if missing:
            raise _HTTPError(
                422,
                "Validation Failed",
                [{"resource": "PullRequest", "field": k, "code": "missing_field"} for k in missing],
            )
        owner = self.repository.split("/")[0]
        head, base = body["head"].split(":")[-1], body["base"]
        for pr in self._state.pulls.values():
            if pr["state"] == "open" and pr["head"]["label"] == f"{owner}:{head}":
                raise _HTTPError(
                    422,
                    "Validation Failed",
                    [
                        {
                            "resource": "PullRequest",
                            "code": "custom",
                            "message": f"A pull request already exists for {owner}:{head}.",
                        }
                    ],
                )
        head_sha = "0" * 40
        if self.git_remote is not None:
            head_sha = self._branch_tip(head, "head")
            if head_sha == self._branch_tip(base, "base"):
                raise _HTTPError(
                    422,
                    "Validation Failed",
                    [
                        {
                            "resource": "PullRequest",
                            "code": "custom",
                            "message": f"No commits between {base} and {head}",
                        }
                    ],
                )
        return self._new_pull(head, base, body["title"], body.get("body") or "", head_sha, None)

    def _branch_tip(self, branch: str, field_name: str) -> str:
        assert self.git_remote is not None
        done = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}^{{commit}}"],
            cwd=self.git_remote,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise _HTTPError(
                422,
                "Validation Failed",
                [{"resource": "PullRequest", "field": field_name, "code": "invalid"}],
            )
        return done.stdout.strip()

    def _new_pull(
        self,
        head: str,
        base: str,
        title: str,
        body: str,
        head_sha: str,
        head_repository: str | None,
    ) -> dict[str, Any]:
        number = self._state.next_number
        self._state.next_number += 1
        head_repo = head_repository or self.repository
        pr = {
            "url": f"{self.url}/repos/{self.repository}/pulls/{number}",
            "id": 500000 + number,
            "number": number,
            "state": "open",
            "title": title,
            "body": body,
            "html_url": f"{self.server_url}/{self.repository}/pull/{number}",
            "user": {"login": self.login},
            "labels": [],
            "head": {
                "label": f"{head_repo.split('/')[0]}:{head}",
                "ref": head,
                "sha": head_sha,
                "repo": {"full_name": head_repo},
            },
            "base": {
                "label": f"{self.repository.split('/')[0]}:{base}",
                "ref": base,
                "repo": {"full_name": self.repository},
            },
        }
        self._state.pulls[number] = pr
        return pr

    def _pull(self, number: int) -> dict[str, Any]:
        if number not in self._state.pulls:
            raise _HTTPError(404, "Not Found")
        return self._state.pulls[number]

    def _update_pull(self, number: int, body: Any) -> dict[str, Any]:
        pr = self._pull(number)
        for key in ("title", "body", "state"):
            if key in body:
                pr[key] = body[key]
        if "base" in body:
            pr["base"]["ref"] = body["base"]
        if self.git_remote is not None:
            pr["head"]["sha"] = self._branch_tip(pr["head"]["ref"], "head")
        return pr

    def _add_labels(self, number: int, body: Any) -> list[dict[str, Any]]:
        pr = self._pull(number)
        names = self._state.labels.setdefault(number, [])
        for name in body.get("labels", []):
            if name not in names:
                names.append(name)
        pr["labels"] = [{"name": name} for name in names]
        return list(pr["labels"])

    def _list_comments(
        self, number: int, query: dict[str, str], path: str
    ) -> tuple[int, Any, dict[str, str]]:
        self._pull(number)
        found = [c for c in self._state.comments.values() if c["issue_number"] == number]
        return self._list(sorted(found, key=lambda c: int(c["id"])), query, path)

    def _comment(self, number: int, body: Any) -> dict[str, Any]:
        self._pull(number)
        if not isinstance(body.get("body"), str):
            raise _HTTPError(
                422,
                "Validation Failed",
                [{"resource": "IssueComment", "field": "body", "code": "missing_field"}],
            )
        return self._new_comment(number, body["body"], self.login)

    def _new_comment(self, number: int, text: str, login: str) -> dict[str, Any]:
        comment_id = self._state.next_comment_id
        self._state.next_comment_id += 1
        comment = {
            "id": comment_id,
            "issue_number": number,
            "body": text,
            "user": {"login": login},
            "html_url": f"{self.server_url}/{self.repository}/pull/{number}"
            f"#issuecomment-{comment_id}",
        }
        self._state.comments[comment_id] = comment
        return comment

    def _edit_comment(self, comment_id: int, body: Any) -> dict[str, Any]:
        comment = self._state.comments.get(comment_id)
        if comment is None:
            raise _HTTPError(404, "Not Found")
        if comment["user"]["login"] != self.login:
            raise _HTTPError(403, "Resource not accessible by integration")
        comment["body"] = body["body"]
        return comment


def _handler_for(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            if self.command == "GET" and "/raw/" in self.path:
                self._send_raw(fake.raw_file(urlsplit(self.path).path))
                return
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                self._send(400, {"message": "Problems parsing JSON"}, {})
                return
            headers = {key.lower(): value for key, value in self.headers.items()}
            if body is not None and not isinstance(body, dict):
                self._send(400, {"message": "Problems parsing JSON"}, {})
                return
            status, document, extra = fake._handle(self.command, self.path, headers, body or {})
            self._send(status, document, extra)

        def _send(self, status: int, document: Any, extra: dict[str, str]) -> None:
            data = json.dumps(document).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for key, value in extra.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _send_raw(self, data: bytes | None) -> None:
            if data is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests read ``fake.requests`` instead."""

    return Handler
