"""`mlops gh comment --images DIR`: plots inline in the CI comment, committed to a report branch
of the same repository and linked at that commit."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_gitops.cli import main
from tests.helpers.git_remote import Project
from tests.helpers.github_fake import FakeGitHub

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


def test_images_are_committed_on_the_report_branch_and_shown_at_that_commit(
    clone: Project,
    github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    github.add_pull(head="main")
    for name, value in github.env().items():
        monkeypatch.setenv(name, value)
    plots = tmp_path / "plots"
    (plots / "lin-a").mkdir(parents=True)
    (plots / "lin-a" / "residuals.png").write_bytes(PNG)
    (plots / "roc.png").write_bytes(PNG + b"roc")
    (plots / "notes.txt").write_text("not an image")
    body = tmp_path / "comment.md"
    body.write_text("## Metrics\n")
    argv = ["-C", str(clone.root), "gh", "comment", "--pr", "1", "--body-file", str(body)]

    assert main([*argv, "--images", str(plots)]) == 0, capsys.readouterr().err

    branches = clone.remote_branches()
    commit = branches["mlops/reports/pr-1"]
    files = clone.remote_git("ls-tree", "-r", "--name-only", commit).splitlines()
    assert {"reports/pr-1/lin-a/residuals.png", "reports/pr-1/roc.png"} <= set(files)
    assert "reports/pr-1/notes.txt" not in files
    assert clone.remote_git("rev-parse", f"{commit}^") == branches["main"]  # on top of main
    raw = f"https://github.example/octo/demo/raw/{commit}/reports/pr-1"
    (comment,) = github.comments_on(1)
    assert comment["body"] == (
        "## Metrics\n\n### Plots\n\n"
        f"![residuals]({raw}/lin-a/residuals.png)\n![roc]({raw}/roc.png)\n\n<!-- mlops-gitops -->\n"
    )

    # the next run extends the branch (never forced) and the comment links the new commit
    (plots / "roc.png").write_bytes(PNG + b"roc, retrained")
    assert main([*argv, "--images", str(plots)]) == 0
    newer = clone.remote_branches()["mlops/reports/pr-1"]
    assert clone.remote_git("rev-parse", f"{newer}^") == commit
    (comment,) = github.comments_on(1)
    assert f"/raw/{newer}/reports/pr-1/roc.png)" in comment["body"]


def test_an_empty_images_folder_is_a_clear_error(
    clone: Project,
    github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    github.add_pull(head="main")
    for name, value in github.env().items():
        monkeypatch.setenv(name, value)
    (tmp_path / "plots").mkdir()
    body = tmp_path / "comment.md"
    body.write_text("x")
    code = main(
        ["-C", str(clone.root), "gh", "comment", "--pr", "1", "--body-file", str(body),
         "--images", str(tmp_path / "plots")]
    )  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err
    assert f"error: The images folder {tmp_path / 'plots'} holds no image" in err
    assert "hint: copy the plots to show into it, or drop --images" in err
    assert github.comments_on(1) == []
