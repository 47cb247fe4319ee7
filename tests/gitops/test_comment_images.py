"""`mlops gh comment --images DIR`: plots inline in the CI comment, committed to a report branch
of the same repository and linked at that commit."""

from __future__ import annotations

import urllib.request
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
        f"[`lin-a/residuals.png`]({raw}/lin-a/residuals.png)\n\n"
        f"![residuals]({raw}/lin-a/residuals.png)\n\n"
        f"[`roc.png`]({raw}/roc.png)\n\n"
        f"![roc]({raw}/roc.png)\n\n<!-- mlops-gitops -->\n"
    )
    # each address serves the very bytes that were committed, from GitHub's web host
    for name, data in (("lin-a/residuals.png", PNG), ("roc.png", PNG + b"roc")):
        with urllib.request.urlopen(github.web(f"{raw}/{name}"), timeout=10) as response:
            assert response.read() == data

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
    assert f"error: No image (.png, .svg, .jpg, .jpeg, .gif) in {tmp_path / 'plots'}." in err
    assert "hint: copy the plots to show into it, or drop --images" in err
    assert github.comments_on(1) == []


def test_glob_patterns_pick_the_key_plots_by_their_project_paths(
    clone: Project,
    github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    github.add_pull(head="main")
    for name, value in github.env().items():
        monkeypatch.setenv(name, value)
    plots = {
        "reports/lin-a/evaluate/predicted_vs_actual.png": PNG + b"a",
        "reports/clf/evaluate/confusion_matrix.png": PNG + b"c",
        "reports/clf/interpret/importance.png": PNG + b"i",
        "reports/clf/pdp_ice/pdp_ice_age.png": PNG + b"p",  # not asked for
    }
    for path, data in plots.items():
        (clone.root / path).parent.mkdir(parents=True, exist_ok=True)
        (clone.root / path).write_bytes(data)
    body = tmp_path / "comment.md"
    body.write_text("## Metrics\n")
    patterns = ["reports/*/evaluate/*.png", "reports/*/interpret/importance.png", "x/*.png"]

    code = main(
        ["-C", str(clone.root), "gh", "comment", "--pr", "1", "--body-file", str(body),
         "--images", *patterns]
    )  # fmt: skip

    assert code == 0, capsys.readouterr().err
    commit = clone.remote_branches()["mlops/reports/pr-1"]
    files = clone.remote_git("ls-tree", "-r", "--name-only", commit).splitlines()
    shown = sorted(p for p in plots if "pdp_ice" not in p)
    assert sorted(f for f in files if f.startswith("reports/pr-1/")) == [
        f"reports/pr-1/{p}" for p in shown
    ]
    (comment,) = github.comments_on(1)
    raw = f"https://github.example/octo/demo/raw/{commit}/reports/pr-1"
    for path in shown:
        assert f"[`{path}`]({raw}/{path})\n\n![{Path(path).stem}]({raw}/{path})" in comment["body"]
        with urllib.request.urlopen(github.web(f"{raw}/{path}"), timeout=10) as response:
            assert response.read() == plots[path]


def test_a_refused_push_degrades_to_links_to_the_run(
    clone: Project,
    github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A fork's read-only token: GitHub's git server refuses the push; the comment still goes
    out, naming each image as a link to the workflow run that keeps them as an artifact."""
    hook = clone.remote / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\necho 'Permission to octo/demo.git denied to github-actions[bot].' >&2\nexit 1\n"
    )
    hook.chmod(0o755)
    github.add_pull(head="main")
    for name, value in {**github.env(), "GITHUB_RUN_ID": "4242"}.items():
        monkeypatch.setenv(name, value)
    plots = tmp_path / "plots"
    plots.mkdir()
    (plots / "roc.png").write_bytes(PNG)
    (plots / "residuals.png").write_bytes(PNG + b"r")
    body = tmp_path / "comment.md"
    body.write_text("## Metrics\n")

    code = main(
        ["-C", str(clone.root), "gh", "comment", "--pr", "1", "--body-file", str(body),
         "--images", str(plots)]
    )  # fmt: skip

    assert code == 0
    captured = capsys.readouterr()
    assert captured.err == (
        "warning: the images were not pushed to mlops/reports/pr-1, so the comment links them: "
        "Permission to octo/demo.git denied to github-actions[bot].\n"
    )
    assert "mlops/reports/pr-1" not in clone.remote_branches()
    run = "https://github.example/octo/demo/actions/runs/4242"
    (comment,) = github.comments_on(1)
    text = comment["body"]
    assert text == (
        "## Metrics\n\n### Plots\n\nThe plots are not shown inline: they could not be pushed "
        "to the branch `mlops/reports/pr-1` of this repository (Permission to octo/demo.git "
        "denied to github-actions[bot]). A pull request from a fork gets a read-only token. "
        "They are in the `plots` artifact of the workflow run:\n\n"
        f"- [`residuals.png`]({run})\n- [`roc.png`]({run})\n\n<!-- mlops-gitops -->\n"
    )


def test_a_missing_image_path_is_a_clear_error(
    clone: Project,
    github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    github.add_pull(head="main")
    for name, value in github.env().items():
        monkeypatch.setenv(name, value)
    body = tmp_path / "comment.md"
    body.write_text("x")
    missing = tmp_path / "nowhere" / "roc.png"
    code = main(
        ["-C", str(clone.root), "gh", "comment", "--pr", "1", "--body-file", str(body),
         "--images", str(missing)]
    )  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err
    assert f"error: The images path {missing} does not exist." in err
    assert github.comments_on(1) == []


def test_patterns_that_match_nothing_leave_the_plots_out_and_say_so(
    clone: Project,
    github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A project without such plots yet (no experiment): the comment still goes out."""
    github.add_pull(head="main")
    for name, value in github.env().items():
        monkeypatch.setenv(name, value)
    body = tmp_path / "comment.md"
    body.write_text("## Plan\n")
    code = main(
        ["-C", str(clone.root), "gh", "comment", "--pr", "1", "--body-file", str(body),
         "--images", "reports/*/evaluate/*.png"]
    )  # fmt: skip
    assert code == 0
    assert capsys.readouterr().err == "note: no image matches reports/*/evaluate/*.png\n"
    assert [c["body"] for c in github.comments_on(1)] == ["## Plan\n\n<!-- mlops-gitops -->\n"]
    assert "mlops/reports/pr-1" not in clone.remote_branches()
