"""mlops_gitops.gitops.git: commits on a temporary index, ref-free fetches, never-forced pushes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlops_gitops.errors import GitOpsError
from mlops_gitops.gitops import git
from tests.helpers.git_remote import Project, run_git


def test_commit_files_builds_on_the_parent_without_touching_index_or_tree(clone: Project) -> None:
    (clone.root / "README.md").write_text("unsaved edit\n")
    before = clone.snapshot()
    parent = clone.git("rev-parse", "HEAD")
    repo = git.open_repo(clone.root)

    sha = git.commit_files(
        repo,
        parent=parent,
        files={"a/b/c.txt": b"deep\n", "README.md": b"# replaced\n"},
        message="machine change",
    )

    assert sha is not None
    assert clone.snapshot() == before
    assert clone.git("rev-parse", f"{sha}^") == parent
    assert clone.git("show", f"{sha}:a/b/c.txt") == "deep"
    assert clone.git("show", f"{sha}:README.md") == "# replaced"
    assert clone.git("show", f"{sha}:reports/.keep") == ""
    assert clone.git("log", "-1", "--format=%an <%ae>|%B", sha) == (
        "Test User <test@example.com>|machine change"
    )
    assert not (clone.root / "a").exists()


def test_commit_files_keeps_bytes_and_the_executable_bit(clone: Project) -> None:
    script = clone.root / "run.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    clone.git("add", "run.sh")
    clone.git("commit", "-q", "-m", "script")
    parent = clone.git("rev-parse", "HEAD")
    data = b"\x00\xff binary\r\n"

    sha = git.commit_files(
        git.open_repo(clone.root),
        parent=parent,
        files={"run.sh": b"#!/bin/sh\necho hi\n", "blob.bin": data},
        message="m",
    )

    assert sha is not None
    modes = clone.git("ls-tree", sha, "run.sh", "blob.bin")
    assert modes.splitlines()[0].startswith("100644 blob")  # blob.bin sorts first
    assert modes.splitlines()[1].startswith("100755 blob")
    blob = run_git(clone.root, "rev-parse", f"{sha}:blob.bin")
    assert run_git(clone.root, "hash-object", "--stdin", input=data) == blob


def test_commit_files_returns_none_when_nothing_changes(clone: Project) -> None:
    parent = clone.git("rev-parse", "HEAD")

    sha = git.commit_files(
        git.open_repo(clone.root), parent=parent, files={"README.md": b"# demo\n"}, message="m"
    )

    assert sha is None


def test_commit_files_uses_a_bot_identity_when_git_has_none(
    clone: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    Path(os.environ["GIT_CONFIG_GLOBAL"]).write_text("[user]\n    useConfigOnly = true\n")
    monkeypatch.delenv("EMAIL", raising=False)

    sha = git.commit_files(
        git.open_repo(clone.root),
        parent=clone.git("rev-parse", "HEAD"),
        files={"x.txt": b"x"},
        message="m",
    )

    assert clone.git("log", "-1", "--format=%an <%ae>|%cn <%ce>", str(sha)) == (
        "mlops-gitops <mlops-gitops@users.noreply.github.com>|"
        "mlops-gitops <mlops-gitops@users.noreply.github.com>"
    )


@pytest.mark.parametrize(
    "path",
    ["", "/etc/passwd", "../up.txt", "a/../b", "a//b", "./a", ".git/hooks/x", "a\\b", "a\nb"],
)
def test_commit_files_refuses_paths_outside_the_tree(clone: Project, path: str) -> None:
    with pytest.raises(GitOpsError, match="is not a repository-relative file path"):
        git.commit_files(
            git.open_repo(clone.root),
            parent=clone.git("rev-parse", "HEAD"),
            files={path: b"x"},
            message="m",
        )


@pytest.mark.parametrize(
    "name", ["", "-x", "a..b", "a b", "a~1", "a:b", "a/", "a.lock", "a/.hidden", "a@{1}", "a//b"]
)
def test_branch_names_git_refuses_are_refused(name: str) -> None:
    with pytest.raises(GitOpsError, match="is not a valid git branch name"):
        git.check_branch_name(name)


def test_remote_heads_lists_branches_and_the_default(clone: Project) -> None:
    clone.git("push", "-q", "origin", "HEAD:refs/heads/feature/x")

    heads = git.remote_heads(git.open_repo(clone.root), "origin")

    tip = clone.git("rev-parse", "HEAD")
    assert heads == git.RemoteHeads(default_branch="main", heads={"main": tip, "feature/x": tip})


def test_fetch_commit_fetches_objects_but_writes_no_ref(clone: Project, tmp_path: Path) -> None:
    other = tmp_path / "other"
    run_git(tmp_path, "clone", "-q", str(clone.remote), str(other))
    (other / "new.txt").write_text("from elsewhere\n")
    run_git(other, "add", "new.txt")
    run_git(other, "commit", "-q", "-m", "elsewhere")
    run_git(other, "push", "-q", "origin", "HEAD:refs/heads/elsewhere")
    sha = run_git(other, "rev-parse", "HEAD")
    before = clone.snapshot()
    repo = git.open_repo(clone.root)

    git.fetch_commit(repo, "origin", "elsewhere", sha)

    assert clone.git("cat-file", "-t", sha) == "commit"
    assert clone.snapshot() == before


def test_fetch_commit_notices_a_branch_that_moved(clone: Project) -> None:
    with pytest.raises(GitOpsError, match="moved while it was being read"):
        git.fetch_commit(git.open_repo(clone.root), "origin", "main", "1" * 40)


def test_push_commit_is_never_forced(clone: Project) -> None:
    repo = git.open_repo(clone.root)
    parent = clone.git("rev-parse", "HEAD")
    first = git.commit_files(repo, parent=parent, files={"a": b"1"}, message="one")
    unrelated = git.commit_files(repo, parent=parent, files={"a": b"2"}, message="two")
    assert first is not None and unrelated is not None
    git.push_commit(repo, "origin", first, "topic")

    with pytest.raises(GitOpsError) as caught:
        git.push_commit(repo, "origin", unrelated, "topic")

    assert "git push failed" in caught.value.message
    assert "rejected" in caught.value.message
    assert clone.remote_branches()["topic"] == first


def test_unknown_remote_names_the_known_ones(clone: Project) -> None:
    with pytest.raises(GitOpsError) as caught:
        git.remote_url(git.open_repo(clone.root), "upstream")

    assert str(caught.value) == (
        "The repository has no remote named 'upstream' (remotes: origin).\n"
        "hint: add it with `git remote add upstream <url>` or pass another remote"
    )


def test_state_helpers(clone: Project) -> None:
    repo = git.open_repo(clone.root / "reports")

    assert git.current_commit(repo) == clone.git("rev-parse", "HEAD")
    assert git.current_branch(repo) == "main"
    assert not git.is_dirty(repo)
    (clone.root / "untracked.txt").write_text("x")
    assert git.is_dirty(repo)
    clone.git("checkout", "-q", "--detach")
    assert git.current_branch(repo) is None


def test_a_repository_without_commits_says_to_commit(tmp_path: Path) -> None:
    run_git(tmp_path, "init", "-q", "empty")

    with pytest.raises(GitOpsError, match="has no commit yet"):
        git.current_commit(git.open_repo(tmp_path / "empty"))
