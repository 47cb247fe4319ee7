"""propose_change end to end: a real clone, a real bare remote, a fake GitHub over real HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_gitops.errors import GitOpsError
from mlops_gitops.gitops import ProposalResult, propose_change
from tests.helpers.git_remote import Project
from tests.helpers.github_fake import FakeGitHub

PREFIX = "mlops/drift/churn/"
DAY1 = "mlops/drift/churn/2024-05-01"
DAY2 = "mlops/drift/churn/2024-05-02"
REPORT = "reports/drift/churn/report.md"


def propose(clone: Project, env: dict[str, str], **overrides: object) -> ProposalResult:
    arguments: dict[str, object] = {
        "branch_prefix": PREFIX,
        "branch": DAY1,
        "files": {REPORT: b"# drift on day 1\n", "reports/drift/churn/report.json": b"{}\n"},
        "message": "drift: churn 2024-05-01",
        "title": "Drift detected on churn",
        "body": "PSI of tenure is 0.31 (threshold 0.2).",
        "labels": ("drift", "needs-review"),
        "env": env,
    }
    arguments.update(overrides)
    return propose_change(clone.root, **arguments)  # type: ignore[arg-type]


def test_opens_a_pull_request_for_a_new_branch(clone: Project, github: FakeGitHub) -> None:
    main_tip = clone.remote_branches()["main"]

    result = propose(clone, github.env())

    commit = clone.remote_branches()[DAY1]
    assert result == ProposalResult(
        action="created",
        branch=DAY1,
        base="main",
        commit=commit,
        pushed=True,
        pr_number=1,
        pr_url="https://github.example/octo/demo/pull/1",
        compare_url=f"https://github.example/octo/demo/compare/main...{DAY1}",
    )
    assert clone.remote_git("rev-parse", f"{commit}^") == main_tip
    assert clone.remote_file(DAY1, REPORT) == "# drift on day 1"
    assert clone.remote_file(DAY1, "README.md") == "# demo"
    assert clone.remote_git("log", "-1", "--format=%s", commit) == "drift: churn 2024-05-01"
    (pr,) = github.open_pulls()
    assert (pr["head"]["ref"], pr["head"]["sha"], pr["base"]["ref"]) == (DAY1, commit, "main")
    assert (pr["title"], pr["body"]) == (
        "Drift detected on churn",
        "PSI of tenure is 0.31 (threshold 0.2).",
    )
    assert github.labels == {1: ["drift", "needs-review"]}
    assert [(r.method, r.path) for r in github.requests] == [
        ("GET", "/repos/octo/demo/pulls"),
        ("POST", "/repos/octo/demo/pulls"),
        ("POST", "/repos/octo/demo/issues/1/labels"),
    ]
    assert github.requests[0].query == {"state": "open", "per_page": "100"}


def test_an_open_pull_request_under_the_prefix_is_updated_not_duplicated(
    clone: Project, github: FakeGitHub
) -> None:
    first = propose(clone, github.env())

    second = propose(
        clone,
        github.env(),
        branch=DAY2,
        files={REPORT: b"# drift on day 2\n"},
        message="drift: churn 2024-05-02",
        title="Drift still present on churn",
        body="PSI of tenure is 0.35.",
    )

    assert second.action == "updated"
    assert (second.branch, second.pr_number, second.pr_url) == (DAY1, 1, first.pr_url)
    assert second.pushed
    branches = clone.remote_branches()
    assert DAY2 not in branches
    assert branches[DAY1] == second.commit
    assert clone.remote_git("rev-parse", f"{second.commit}^") == first.commit
    assert clone.remote_file(DAY1, REPORT) == "# drift on day 2"
    assert clone.remote_file(DAY1, "reports/drift/churn/report.json") == "{}"
    assert len(github.pulls) == 1
    pr = github.pulls[1]
    assert (pr["title"], pr["body"], pr["head"]["sha"]) == (
        "Drift still present on churn",
        "PSI of tenure is 0.35.",
        second.commit,
    )
    assert [(r.method, r.path) for r in github.requests[3:]] == [
        ("GET", "/repos/octo/demo/pulls"),
        ("PATCH", "/repos/octo/demo/pulls/1"),
    ]


def test_pull_requests_from_forks_closed_ones_and_other_prefixes_are_not_reused(
    clone: Project, github: FakeGitHub
) -> None:
    github.add_pull(head=DAY1, head_repository="mallory/demo", title="fork")
    github.add_pull(head="mlops/drift/churn/2024-04-01", state="closed", title="closed")
    github.add_pull(head="mlops/drift/other/2024-05-01", title="other deployment")

    result = propose(clone, github.env())

    assert (result.action, result.pr_number, result.branch) == ("created", 4, DAY1)


def test_without_a_token_the_branch_is_pushed_and_a_compare_url_returned(
    clone: Project, github: FakeGitHub
) -> None:
    result = propose(clone, github.env(token=False))

    assert result == ProposalResult(
        action="pushed-only",
        branch=DAY1,
        base="main",
        commit=clone.remote_branches()[DAY1],
        pushed=True,
        compare_url=f"https://github.example/octo/demo/compare/main...{DAY1}",
    )
    assert github.requests == []


def test_without_a_token_the_repository_comes_from_a_github_remote_url(clone: Project) -> None:
    secret_url = "https://x-access-token:ghs_remoteSecret123@github.com/octo/demo.git"
    clone.git("remote", "set-url", "origin", secret_url)
    clone.git("config", f"url.{clone.remote}.insteadOf", secret_url)

    result = propose(clone, {})

    assert result.compare_url == f"https://github.com/octo/demo/compare/main...{DAY1}"
    assert result.action == "pushed-only"
    assert DAY1 in clone.remote_branches()
    assert "ghs_remoteSecret123" not in repr(result)


def test_without_a_token_or_a_github_remote_only_the_branch_is_reported(clone: Project) -> None:
    result = propose(clone, {})

    assert (result.action, result.branch, result.compare_url, result.pr_url) == (
        "pushed-only",
        DAY1,
        None,
        None,
    )


def test_the_users_working_tree_index_and_branch_are_untouched(
    clone: Project, github: FakeGitHub
) -> None:
    clone.git("checkout", "-q", "-b", "wip")
    clone.commit({"notes.txt": "local work\n"}, "local commit, not pushed")
    (clone.root / "README.md").write_text("# demo\nan unstaged edit\n")
    (clone.root / "staged.txt").write_text("staged\n")
    clone.git("add", "staged.txt")
    (clone.root / "reports" / "drift" / "churn").mkdir(parents=True)
    (clone.root / REPORT).write_text("the user's own draft\n")
    before = clone.snapshot()

    result = propose(clone, github.env())

    after = clone.snapshot()
    tracking = f"refs/remotes/origin/{DAY1} {result.commit}"
    assert after["refs"].replace(f"\n{tracking}", "").replace(f"{tracking}\n", "") == before["refs"]
    assert {k: v for k, v in after.items() if k != "refs"} == {
        k: v for k, v in before.items() if k != "refs"
    }
    assert before["HEAD"] == "refs/heads/wip"
    assert (clone.root / "README.md").read_text() == "# demo\nan unstaged edit\n"
    assert (clone.root / REPORT).read_text() == "the user's own draft\n"
    assert clone.remote_git("rev-parse", f"{result.commit}^") == clone.remote_branches()["main"]
    assert clone.remote_git("ls-tree", "--name-only", result.commit) == "README.md\nreports"


def test_a_push_rejected_by_the_remote_leaves_everything_as_it_was(
    clone: Project, github: FakeGitHub
) -> None:
    hook = clone.remote / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\necho 'branch protection: pushes to mlops/* are closed' >&2\nexit 1\n"
    )
    hook.chmod(0o755)
    before, remote_before = clone.snapshot(), clone.remote_branches()

    with pytest.raises(GitOpsError) as caught:
        propose(clone, github.env())

    assert "git push failed" in caught.value.message
    assert "branch protection: pushes to mlops/* are closed" in caught.value.message
    assert caught.value.hint is not None and "run the command again" in caught.value.hint
    assert clone.snapshot() == before
    assert clone.remote_branches() == remote_before
    assert github.pulls == {}
    assert [r.method for r in github.requests] == ["GET"]


def test_a_github_error_before_the_push_names_status_and_message_and_pushes_nothing(
    clone: Project, github: FakeGitHub
) -> None:
    github.fail("GET", r"/pulls$", 503, "Service unavailable, try again later")
    before, remote_before = clone.snapshot(), clone.remote_branches()

    with pytest.raises(GitOpsError) as caught:
        propose(clone, github.env())

    assert caught.value.message == (
        "GitHub API GET /repos/octo/demo/pulls failed: 503 Service Unavailable: "
        "Service unavailable, try again later"
    )
    assert clone.snapshot() == before
    assert clone.remote_branches() == remote_before


def test_a_github_error_after_the_push_says_so_and_a_rerun_opens_the_pr(
    clone: Project, github: FakeGitHub
) -> None:
    github.fail("POST", r"/pulls$", 403, "Resource not accessible by integration")

    with pytest.raises(GitOpsError) as caught:
        propose(clone, github.env())

    pushed = clone.remote_branches()[DAY1]
    assert caught.value.message == (
        "GitHub API POST /repos/octo/demo/pulls failed: 403 Forbidden: "
        f"Resource not accessible by integration\nBranch '{DAY1}' is on 'origin' at {pushed[:12]}."
    )
    assert caught.value.hint is not None
    assert "pull-requests: write" in caught.value.hint
    assert caught.value.hint.endswith("run the command again: it reuses the pushed branch")

    again = propose(clone, github.env())

    assert (again.action, again.pushed, again.commit, again.pr_number) == (
        "created",
        False,
        pushed,
        1,
    )
    assert clone.remote_branches()[DAY1] == pushed


def test_the_token_never_appears_in_errors_results_or_commits(clone: Project) -> None:
    token = "ghs_S3cretT0kenValue"
    with FakeGitHub(token="the-right-one", git_remote=clone.remote) as wrong:
        with pytest.raises(GitOpsError) as caught:
            propose(clone, {**wrong.env(), "GITHUB_TOKEN": token})
        assert "401 Unauthorized: Bad credentials" in caught.value.message
        assert caught.value.hint == "check that GITHUB_TOKEN holds a valid token"
        for text in (str(caught.value), repr(caught.value), repr(caught.value.args)):
            assert token not in text

    with FakeGitHub(token=token, git_remote=clone.remote) as right:
        result = propose(clone, right.env())
        assert right.requests[0].headers["authorization"] == f"Bearer {token}"
    assert token not in repr(result)
    assert token not in clone.remote_git("log", "--all", "--format=%an%ae%cn%ce%B")
    assert token not in clone.remote_git("cat-file", "-p", result.commit)


def test_credentials_in_a_remote_url_are_removed_from_git_errors(clone: Project) -> None:
    clone.git("remote", "set-url", "origin", "https://bot:ghp_urlSecret42@127.0.0.1:9/x.git")

    with pytest.raises(GitOpsError) as caught:
        propose(clone, {})

    assert caught.value.message.startswith("git ls-remote failed")
    assert "ghp_urlSecret42" not in str(caught.value)


def test_files_equal_to_the_base_propose_nothing(clone: Project, github: FakeGitHub) -> None:
    main_tip = clone.remote_branches()["main"]

    result = propose(clone, github.env(), files={"README.md": b"# demo\n"})

    assert (result.action, result.pushed, result.commit, result.pr_number) == (
        "unchanged",
        False,
        main_tip,
        None,
    )
    assert DAY1 not in clone.remote_branches()
    assert [r.method for r in github.requests] == ["GET"]


def test_an_explicit_base_is_branched_from_and_targeted(clone: Project, github: FakeGitHub) -> None:
    release = clone.commit({"VERSION": "1.0\n"}, "release 1.0")
    clone.git("push", "-q", "origin", "HEAD:refs/heads/release")
    clone.git("reset", "-q", "--hard", "HEAD~1")

    result = propose(clone, github.env(), base="release")

    assert clone.remote_git("rev-parse", f"{result.commit}^") == release
    assert github.pulls[1]["base"]["ref"] == "release"
    assert result.compare_url == f"https://github.example/octo/demo/compare/release...{DAY1}"


def test_a_base_missing_on_the_remote_says_to_push_it(clone: Project) -> None:
    with pytest.raises(GitOpsError) as caught:
        propose(clone, {}, base="develop")

    assert str(caught.value) == (
        "Branch 'develop' does not exist on remote 'origin'.\n"
        "hint: push it first (git push origin develop) or pass another base"
    )


def test_bad_arguments_are_all_reported_together(clone: Project) -> None:
    with pytest.raises(GitOpsError) as caught:
        propose(
            clone,
            {},
            branch="drift/2024-05-01",
            files={"../outside.md": b"x", ".git/config": b"x", "ok.md": "text"},
            title=" ",
        )

    assert caught.value.message == (
        "The 'branch' parameter of propose_change must start with branch_prefix "
        "'mlops/drift/churn/'. Got 'drift/2024-05-01' instead.\n"
        "'../outside.md' is not a repository-relative file path.\n"
        "'.git/config' is not a repository-relative file path.\n"
        "The content of 'ok.md' must be bytes. Got str instead.\n"
        "The 'title' parameter of propose_change must not be empty."
    )
    assert clone.remote_branches().keys() == {"main"}


def test_a_folder_that_is_not_a_repository_is_refused(tmp_path: Path) -> None:
    with pytest.raises(GitOpsError, match="is not inside a git repository"):
        propose_change(
            tmp_path,
            branch_prefix=PREFIX,
            branch=DAY1,
            files={REPORT: b"x"},
            message="m",
            title="t",
            body="b",
            env={},
        )


def test_without_a_token_a_rerun_extends_the_pushed_branch(clone: Project) -> None:
    first = propose(clone, {})
    same = propose(clone, {})
    newer = propose(clone, {}, files={REPORT: b"# drift, later\n"}, message="drift: later")

    assert (same.action, same.pushed, same.commit) == ("unchanged", False, first.commit)
    assert (newer.action, newer.pushed) == ("pushed-only", True)
    assert clone.remote_git("rev-parse", f"{newer.commit}^") == first.commit
    assert clone.remote_branches()[DAY1] == newer.commit


def test_an_unchanged_open_pull_request_still_gets_the_new_title_and_body(
    clone: Project, github: FakeGitHub
) -> None:
    first = propose(clone, github.env())

    again = propose(clone, github.env(), title="Drift re-checked", body="Same numbers.")

    assert (again.action, again.pushed, again.commit, again.pr_number) == (
        "updated",
        False,
        first.commit,
        1,
    )
    assert (github.pulls[1]["title"], github.pulls[1]["body"]) == (
        "Drift re-checked",
        "Same numbers.",
    )


def test_a_token_without_a_known_repository_says_to_set_it(clone: Project) -> None:
    with pytest.raises(GitOpsError) as caught:
        propose(clone, {"GITHUB_TOKEN": "ghs_x"})

    assert str(caught.value) == (
        "The GitHub repository is unknown.\nhint: set GITHUB_REPOSITORY=owner/repo"
    )
    assert clone.remote_branches().keys() == {"main"}
