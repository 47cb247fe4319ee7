"""The fake GitHub itself: other test suites rely on it answering like GitHub does."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.helpers.git_remote import make_project
from tests.helpers.github_fake import FakeGitHub


def call(
    fake: FakeGitHub, method: str, path: str, body: Any = None, token: str | None = None
) -> tuple[int, Any, dict[str, str]]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{fake.url}{path}", data=data, method=method)
    if token != "":
        request.add_header("Authorization", f"Bearer {token or fake.token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.load(response), dict(response.headers.items())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error), dict(error.headers.items())


def test_requests_need_the_bearer_token() -> None:
    with FakeGitHub() as fake:
        assert call(fake, "GET", "/repos/octo/demo/pulls", token="")[:2] == (
            401,
            {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"},
        )
        assert call(fake, "GET", "/repos/octo/demo/pulls", token="wrong")[0] == 401
        assert call(fake, "GET", "/repos/octo/demo/pulls")[:2] == (200, [])


def test_other_repositories_and_paths_are_404() -> None:
    with FakeGitHub() as fake:
        assert call(fake, "GET", "/repos/octo/other/pulls")[0] == 404
        assert call(fake, "GET", "/repos/octo/demo/nothing")[0] == 404
        assert call(fake, "PATCH", "/repos/octo/demo/pulls/9", {"title": "x"})[0] == 404


def test_pull_requests_are_github_shaped_and_unique_per_head() -> None:
    with FakeGitHub() as fake:
        status, pr, _ = call(
            fake, "POST", "/repos/octo/demo/pulls", {"head": "topic", "base": "main", "title": "T"}
        )
        assert status == 201
        assert (pr["number"], pr["state"], pr["head"]["ref"], pr["base"]["ref"]) == (
            1,
            "open",
            "topic",
            "main",
        )
        assert pr["html_url"] == "https://github.example/octo/demo/pull/1"

        status, error, _ = call(
            fake, "POST", "/repos/octo/demo/pulls", {"head": "topic", "base": "main", "title": "T"}
        )
        assert status == 422
        assert error["errors"] == [
            {
                "resource": "PullRequest",
                "code": "custom",
                "message": "A pull request already exists for octo:topic.",
            }
        ]
        assert fake.open_pulls() == [fake.pulls[1]]


def test_pull_requests_need_branches_on_the_git_remote(tmp_path: Any) -> None:
    import subprocess

    subprocess.run(["git", "init", "-q", "--bare", str(tmp_path)], check=True)
    with FakeGitHub(git_remote=tmp_path) as fake:
        status, error, _ = call(
            fake, "POST", "/repos/octo/demo/pulls", {"head": "nope", "base": "main", "title": "T"}
        )
    assert status == 422
    assert error["errors"] == [{"resource": "PullRequest", "field": "head", "code": "invalid"}]


def test_lists_are_paginated_with_a_link_header() -> None:
    with FakeGitHub() as fake:
        for n in range(5):
            fake.add_pull(head=f"b{n}")
        status, page, headers = call(fake, "GET", "/repos/octo/demo/pulls?per_page=2")
        assert (status, [pr["number"] for pr in page]) == (200, [5, 4])
        assert headers["Link"] == (
            f'<{fake.url}/repos/octo/demo/pulls?page=2&per_page=2>; rel="next"'
        )
        _, last, headers = call(fake, "GET", "/repos/octo/demo/pulls?per_page=2&page=3")
        assert [pr["number"] for pr in last] == [1]
        assert "Link" not in headers


def test_comments_of_other_users_cannot_be_edited() -> None:
    with FakeGitHub() as fake:
        fake.add_pull(head="topic")
        other = fake.add_comment(1, "mine", login="reviewer")
        status, _, _ = call(
            fake, "PATCH", f"/repos/octo/demo/issues/comments/{other['id']}", {"body": "x"}
        )
        assert status == 403
        assert fake.comments[other["id"]]["body"] == "mine"


@pytest.mark.parametrize("times", [1, 2])
def test_fail_injects_errors_a_given_number_of_times(times: int) -> None:
    with FakeGitHub() as fake:
        fake.fail("GET", r"/pulls$", 502, "Bad gateway", times=times)
        statuses = [call(fake, "GET", "/repos/octo/demo/pulls")[0] for _ in range(3)]
        assert statuses == [502] * times + [200] * (3 - times)
        assert len(fake.requests) == 3


def test_the_web_host_serves_raw_files_of_the_git_remote_at_a_commit(tmp_path: Any) -> None:
    project = make_project(tmp_path)
    first = project.git("rev-parse", "HEAD")
    second = project.commit({"reports/pr-1/roc.png": "picture"}, "plots")
    project.git("push", "-q", "origin", "main")
    with FakeGitHub(git_remote=project.remote) as fake:

        def fetch(commit: str, path: str) -> tuple[int, bytes]:
            url = fake.web(f"{fake.server_url}/octo/demo/raw/{commit}/{path}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    return response.status, response.read()
            except urllib.error.HTTPError as error:
                with error:
                    return error.code, b""

        assert fetch(second, "reports/pr-1/roc.png") == (200, b"picture")
        assert fetch(second, "README.md") == (200, b"# demo\n")
        assert fetch(first, "reports/pr-1/roc.png")[0] == 404  # not at that commit
        assert fetch(second, "nothing.png")[0] == 404
        with pytest.raises(AssertionError):
            fake.web("https://elsewhere.example/octo/demo/raw/x/y")
