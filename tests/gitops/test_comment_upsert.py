"""upsert_comment: one marked comment per pull request, edited in place on every push."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mlops_gitops.errors import GitOpsError
from mlops_gitops.gitops import CommentResult, upsert_comment
from tests.helpers.github_fake import FakeGitHub


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with FakeGitHub() as server:
        server.add_pull(head="feature")
        yield server


def test_the_first_call_creates_and_the_second_edits(fake: FakeGitHub) -> None:
    fake.add_comment(1, "LGTM", login="reviewer")

    first = upsert_comment(1, "## Plan\n2 to add", env=fake.env())
    second = upsert_comment(1, "## Plan\n1 to change", env=fake.env())

    assert first == CommentResult(
        action="created",
        comment_id=1002,
        url="https://github.example/octo/demo/pull/1#issuecomment-1002",
    )
    assert second == CommentResult(action="updated", comment_id=1002, url=first.url)
    assert [c["body"] for c in fake.comments_on(1)] == [
        "LGTM",
        "## Plan\n1 to change\n\n<!-- mlops-gitops -->\n",
    ]
    assert [(r.method, r.path) for r in fake.requests] == [
        ("GET", "/repos/octo/demo/issues/1/comments"),
        ("POST", "/repos/octo/demo/issues/1/comments"),
        ("GET", "/repos/octo/demo/issues/1/comments"),
        ("PATCH", "/repos/octo/demo/issues/comments/1002"),
    ]


def test_the_same_body_again_changes_nothing(fake: FakeGitHub) -> None:
    upsert_comment(1, "same", env=fake.env())

    again = upsert_comment(1, "same", env=fake.env())

    assert again.action == "unchanged"
    assert [r.method for r in fake.requests] == ["GET", "POST", "GET"]


def test_markers_keep_comments_apart(fake: FakeGitHub) -> None:
    upsert_comment(1, "plan", marker="<!-- plan -->", env=fake.env())
    upsert_comment(1, "metrics", marker="<!-- metrics -->", env=fake.env())
    upsert_comment(1, "<!-- plan -->\nplan v2", marker="<!-- plan -->", env=fake.env())

    assert [c["body"] for c in fake.comments_on(1)] == [
        "<!-- plan -->\nplan v2",
        "metrics\n\n<!-- metrics -->\n",
    ]


def test_a_missing_token_says_how_to_pass_it(fake: FakeGitHub) -> None:
    with pytest.raises(GitOpsError) as caught:
        upsert_comment(1, "x", env=fake.env(token=False))

    assert str(caught.value) == (
        "GITHUB_TOKEN is not set, so GitHub cannot be called.\n"
        "hint: export GITHUB_TOKEN (in GitHub Actions: `env: GITHUB_TOKEN: "
        "${{ secrets.GITHUB_TOKEN }}`)"
    )
    assert fake.requests == []


def test_an_unknown_pull_request_is_reported_with_githubs_message(fake: FakeGitHub) -> None:
    with pytest.raises(GitOpsError) as caught:
        upsert_comment(99, "x", env=fake.env())

    assert caught.value.message == (
        "GitHub API GET /repos/octo/demo/issues/99/comments failed: 404 Not Found: Not Found"
    )


@pytest.mark.parametrize(("number", "marker"), [(0, "<!-- m -->"), (1, " ")])
def test_bad_arguments_are_refused(fake: FakeGitHub, number: int, marker: str) -> None:
    with pytest.raises(GitOpsError, match="parameter of upsert_comment"):
        upsert_comment(number, "x", marker=marker, env=fake.env())
