"""`mlops gh comment`: the CI step that keeps the plan comment on a pull request up to date."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mlops_gitops.cli import main
from tests.helpers.github_fake import FakeGitHub


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    with FakeGitHub() as server:
        server.add_pull(head="feature")
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        yield server


def test_comment_creates_then_updates(
    fake: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = tmp_path / "plan.md"
    body.write_text("## Plan\nnothing to do\n")

    assert main(["gh", "comment", "--pr", "1", "--body-file", str(body)]) == 0
    body.write_text("## Plan\n1 to add\n")
    assert main(["gh", "comment", "--pr", "1", "--body-file", str(body)]) == 0

    url = "https://github.example/octo/demo/pull/1#issuecomment-1001"
    assert capsys.readouterr().out == (
        f"created comment on pull request #1: {url}\nupdated comment on pull request #1: {url}\n"
    )
    (comment,) = fake.comments_on(1)
    assert comment["body"] == "## Plan\n1 to add\n\n<!-- mlops-gitops -->\n"


def test_the_pr_number_comes_from_github_ref(
    fake: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.add_pull(head="second")
    monkeypatch.setenv("GITHUB_REF", "refs/pull/2/merge")
    body = tmp_path / "plan.md"
    body.write_text("plan")

    assert main(["gh", "comment", "--body-file", str(body), "--marker", "<!-- p -->"]) == 0

    assert [c["body"] for c in fake.comments_on(2)] == ["plan\n\n<!-- p -->\n"]


def test_without_a_pr_number_it_says_what_to_pass(
    fake: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = tmp_path / "plan.md"
    body.write_text("plan")

    assert main(["gh", "comment", "--body-file", str(body)]) == 1

    assert capsys.readouterr().err == (
        "error: No pull request number: --pr was not given and GITHUB_REF is not "
        "refs/pull/N/merge.\n"
        "hint: pass --pr N, or run in a workflow triggered by pull_request\n"
    )
    assert fake.requests == []


def test_a_missing_body_file_is_an_error(
    fake: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["gh", "comment", "--pr", "1", "--body-file", str(tmp_path / "nope.md")]) == 1

    assert f"error: The body file {tmp_path / 'nope.md'} does not exist." in capsys.readouterr().err


def test_a_github_error_exits_1_without_a_traceback(
    fake: FakeGitHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_expiredButSecret")
    body = tmp_path / "plan.md"
    body.write_text("plan")

    assert main(["gh", "comment", "--pr", "1", "--body-file", str(body)]) == 1

    err = capsys.readouterr().err
    assert err.startswith("error: GitHub API GET /repos/octo/demo/issues/1/comments failed: 401")
    assert "ghs_expiredButSecret" not in err
    assert "Traceback" not in err
