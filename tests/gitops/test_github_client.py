"""GitHubClient over real HTTP against the fake: shapes, pagination, errors, token handling."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mlops_gitops.errors import GitOpsError
from mlops_gitops.gitops.github import GitHubClient, PullRequest
from mlops_gitops.gitops.settings import GitHubSettings
from tests.helpers.github_fake import FakeGitHub


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with FakeGitHub(token="ghs_clientToken") as server:
        yield server


def client_for(fake: FakeGitHub, token: str | None = None) -> GitHubClient:
    env = fake.env()
    if token is not None:
        env["GITHUB_TOKEN"] = token
    return GitHubClient.from_settings(GitHubSettings.from_env(env))


def test_pull_requests_round_trip(fake: FakeGitHub) -> None:
    client = client_for(fake)

    created = client.create_pull(head="topic", base="main", title="T", body="B")
    client.add_labels(created.number, ["drift"])
    updated = client.update_pull(created.number, title="T2", body="B2")

    assert created == PullRequest(
        number=1,
        html_url="https://github.example/octo/demo/pull/1",
        state="open",
        title="T",
        body="B",
        head_ref="topic",
        head_sha="0" * 40,
        head_repository="octo/demo",
        base_ref="main",
    )
    assert (updated.title, updated.body) == ("T2", "B2")
    assert client.list_open_pulls() == [updated]
    headers = fake.requests[0].headers
    assert headers["accept"] == "application/vnd.github+json"
    assert headers["x-github-api-version"] == "2022-11-28"
    assert headers["user-agent"].startswith("mlops-gitops/")


def test_lists_follow_the_link_header_across_pages(fake: FakeGitHub) -> None:
    for day in range(1, 131):
        fake.add_pull(head=f"branch-{day}")

    pulls = client_for(fake).list_open_pulls()

    assert len(pulls) == 130
    assert {pr.head_ref for pr in pulls} == {f"branch-{day}" for day in range(1, 131)}
    assert [r.query.get("page", "1") for r in fake.requests] == ["1", "2"]


def test_a_duplicate_pull_request_reports_githubs_validation_message(fake: FakeGitHub) -> None:
    client = client_for(fake)
    client.create_pull(head="topic", base="main", title="T", body="")

    with pytest.raises(GitOpsError) as caught:
        client.create_pull(head="topic", base="main", title="T", body="")

    assert str(caught.value) == (
        "GitHub API POST /repos/octo/demo/pulls failed: 422 Unprocessable Entity: "
        "Validation Failed; A pull request already exists for octo:topic.\n"
        "hint: GitHub refused the request as sent; see its message above"
    )


def test_an_unknown_repository_is_a_404_with_a_hint(fake: FakeGitHub) -> None:
    client = GitHubClient(api_url=fake.url, repository="octo/missing", token=fake.token)

    with pytest.raises(GitOpsError) as caught:
        client.list_open_pulls()

    assert caught.value.message == (
        "GitHub API GET /repos/octo/missing/pulls failed: 404 Not Found: Not Found"
    )
    assert caught.value.hint is not None and "GITHUB_REPOSITORY" in caught.value.hint


def test_a_bad_token_is_a_401_that_never_shows_the_token(fake: FakeGitHub) -> None:
    client = client_for(fake, token="ghp_wrongButSecret")

    with pytest.raises(GitOpsError) as caught:
        client.create_issue_comment(1, "x")

    assert caught.value.message == (
        "GitHub API POST /repos/octo/demo/issues/1/comments failed: 401 Unauthorized: "
        "Bad credentials"
    )
    assert "ghp_wrongButSecret" not in repr(client)
    assert "ghp_wrongButSecret" not in str(caught.value)


def test_an_unreachable_api_names_the_url() -> None:
    with ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler) as closed:
        port = closed.server_address[1]
    client = GitHubClient(api_url=f"http://127.0.0.1:{port}", repository="o/r", token="t0k")

    with pytest.raises(GitOpsError) as caught:
        client.list_open_pulls()

    assert caught.value.message.startswith(
        f"GitHub API GET /repos/o/r/pulls could not reach http://127.0.0.1:{port}:"
    )
    assert caught.value.hint == "check GITHUB_API_URL and the network connection"


def test_the_token_does_not_follow_a_redirect_to_another_host(fake: FakeGitHub) -> None:
    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(301)
            self.send_header("Location", f"{fake.url}{self.path}")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    with ThreadingHTTPServer(("localhost", 0), Redirect) as hop:
        thread = threading.Thread(target=hop.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        try:
            client = GitHubClient(
                api_url=f"http://localhost:{hop.server_address[1]}",
                repository="octo/demo",
                token=fake.token,
            )
            with pytest.raises(GitOpsError, match="401 Unauthorized: Bad credentials"):
                client.list_open_pulls()
        finally:
            hop.shutdown()
            thread.join()

    (request,) = fake.requests
    assert "authorization" not in request.headers


def test_missing_token_or_repository_say_what_to_set() -> None:
    with pytest.raises(GitOpsError, match="GITHUB_TOKEN is not set"):
        GitHubClient.from_settings(GitHubSettings(repository="o/r"))
    with pytest.raises(GitOpsError) as caught:
        GitHubClient.from_settings(GitHubSettings(token="t"))
    assert caught.value.hint == "set GITHUB_REPOSITORY=owner/repo"
