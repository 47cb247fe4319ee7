"""``mlops drift pr`` end to end: a real clone and bare remote, real DVC with a local remote, a
trained model, a request log with planted drift, the fake GitHub over real HTTP."""

from __future__ import annotations

import hashlib
import subprocess
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from mlops_gitops.cli import main
from tests.helpers.commands import dvc
from tests.helpers.github_fake import FakeGitHub
from tests.helpers.shop_project import (
    DATASET_SPEC,
    DAY,
    DEPLOYMENT,
    NOW,
    Repo,
    customers,
    drifted_requests,
    label_requests,
    write_request_log,
)

BRANCH = f"mlops/drift/{DEPLOYMENT}/{DAY}"
REPORT = "project/reports/drift/shop-api/20240508T060000Z"
REPORT_FILES = {
    f"{REPORT}/{name}"
    for name in ("report.json", "report.md", "report.html", "x1.png", "prediction.png")
} | {  # the histograms as DVC plots, in the deployment's stable folder
    f"project/reports/drift/shop-api/{name}"
    for name in ("dvc.yaml", "histograms/x1.csv", "histograms/prediction.csv")
}
TITLE = "Drift on shop-api: 1 of 3 columns drifted"


def drift_pr(
    repo: Repo, capsys: pytest.CaptureFixture[str], *extra: str, now: str = NOW.isoformat()
) -> tuple[int, str, str]:
    code = main(["-C", str(repo.root), "drift", "pr", DEPLOYMENT, "--now", now, *extra])
    out, err = capsys.readouterr()
    return code, out, err


def use(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def changed_on_branch(repo: Repo, branch: str = BRANCH) -> set[str]:
    return set(repo.clone.remote_git("diff", "--name-only", "main", branch).splitlines())


def untouched(repo: Repo) -> dict[str, str]:
    """The clone's state apart from the report folder the check writes (as `drift check` does)
    and the remote-tracking ref a push updates."""
    state = repo.clone.snapshot()
    state["status"] = "\n".join(
        line
        for line in state["status"].splitlines()
        if not line.startswith("?? project/reports/drift/")
    )
    state["refs"] = "\n".join(
        line
        for line in state["refs"].splitlines()
        if not line.startswith("refs/remotes/origin/mlops/drift/")
    )
    return state


def test_drift_opens_one_pull_request_with_the_report_on_its_branch(
    repo: Repo,
    github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    drifted_requests(repo.root)
    use(monkeypatch, github.env())
    before = untouched(repo)

    code, out, err = drift_pr(repo, capsys)

    assert code == 0, err
    commit = repo.clone.remote_branches()[BRANCH]
    assert out == (
        f"{TITLE}\nopened pull request #1: https://github.example/octo/shop/pull/1 "
        f"(branch {BRANCH} on origin at {commit[:12]})\n"
    )
    assert changed_on_branch(repo) == REPORT_FILES
    local = repo.root / "reports/drift/shop-api/20240508T060000Z/report.json"
    assert repo.clone.remote_file(BRANCH, f"{REPORT}/report.json") == local.read_text().strip()
    (pr,) = github.open_pulls()
    assert (pr["title"], pr["head"]["ref"], pr["head"]["sha"]) == (TITLE, BRANCH, commit)
    assert github.labels == {1: ["drift", "mlops"]}
    body = pr["body"]
    assert body.startswith(f"## {TITLE}\n\n**Dataset drift detected: 1 of 3 feature column(s)")
    assert "| x1 | ks | " in body and "| **yes** |" in body
    # the drifted columns' plots inline, as committed on the branch, at that very commit
    raw = f"https://github.example/octo/shop/raw/{commit}/{REPORT}"
    assert f"![prediction]({raw}/prediction.png)\n![x1]({raw}/x1.png)" in body
    # every report path is a link to its page at that commit (the project is a sub-folder)
    page = f"https://github.example/octo/shop/blob/{commit}/{REPORT}"
    shown = "reports/drift/shop-api/20240508T060000Z"
    assert (
        f"Full report with plots: [`{shown}/report.md`]({page}/report.md); as one "
        f"self-contained page (open it in a browser): [`{shown}/report.html`]({page}/report.html)."
    ) in body
    assert "No request of this window has a label yet" in body
    assert "Retraining is off for this deployment (`monitoring.retrain: false`)" in body
    assert github.token not in out + err + body
    assert untouched(repo) == before


def test_running_again_updates_the_same_pull_request(
    repo: Repo,
    github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    drifted_requests(repo.root)
    use(monkeypatch, github.env())
    assert drift_pr(repo, capsys)[0] == 0
    first = repo.clone.remote_branches()[BRANCH]
    write_request_log(
        repo.root,
        customers(24, seed=9, shift=2.0),
        start=NOW,
        step=timedelta(hours=1),
        first_id=1000,
        name="20240508T060000Z-000001.parquet",
    )

    code, out, _ = drift_pr(repo, capsys, now=(NOW + timedelta(days=1)).isoformat())

    assert code == 0
    branches = repo.clone.remote_branches()
    assert set(branches) == {"main", BRANCH}  # the next day's report joined the open PR's branch
    assert repo.clone.remote_git("rev-parse", f"{branches[BRANCH]}^") == first
    pr_url = "https://github.example/octo/shop/pull/1"
    assert f"updated pull request #1: {pr_url} (branch {BRANCH}" in out
    assert len(github.pulls) == 1
    next_day = "project/reports/drift/shop-api/20240509T060000Z/report.md"
    assert next_day in changed_on_branch(repo)
    assert "2024-05-09T06:00:00+00:00" in github.pulls[1]["body"]


def test_without_a_token_the_branch_is_pushed_and_the_compare_url_printed(
    repo: Repo,
    github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    drifted_requests(repo.root)
    use(monkeypatch, github.env(token=False))

    code, out, _ = drift_pr(repo, capsys)

    assert code == 0
    commit = repo.clone.remote_branches()[BRANCH]
    assert out.splitlines()[1:] == [
        f"pushed branch {BRANCH} on origin at {commit[:12]}; no GITHUB_TOKEN, so no pull "
        "request was opened",
        f"open it at: https://github.example/octo/shop/compare/main...{BRANCH}",
    ]
    assert changed_on_branch(repo) == REPORT_FILES
    assert github.requests == []


def test_without_drift_nothing_is_created_unless_forced(
    repo: Repo,
    github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_request_log(
        repo.root, customers(120, seed=7), start=NOW - timedelta(days=6), step=timedelta(hours=1)
    )
    use(monkeypatch, github.env())

    code, out, _ = drift_pr(repo, capsys)

    assert code == 0
    assert out.startswith("no drift: No dataset drift: 0 of 3 feature column(s) drifted")
    assert set(repo.clone.remote_branches()) == {"main"}
    assert github.requests == []
    assert not (repo.root / "reports" / "drift").exists()

    code, out, _ = drift_pr(repo, capsys, "--force")

    assert code == 0
    assert out.startswith("Drift on shop-api: 0 of 3 columns drifted\nopened pull request #1")
    assert github.open_pulls()[0]["title"] == "Drift on shop-api: 0 of 3 columns drifted"


def test_errors_exit_1_with_a_hint(
    repo: Repo,
    github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use(monkeypatch, github.env())
    code = main(["-C", str(repo.root), "drift", "pr", "nope"])
    assert (code, capsys.readouterr().err) == (
        1,
        "error: no Deployment named 'nope'; known: shop-api\n"
        "hint: run `mlops get` to list the specs\n",
    )
    drifted_requests(repo.root)
    code, _, err = drift_pr(repo, capsys, "--remote", "upstream")
    assert code == 1
    assert err == (
        "error: The repository has no remote named 'upstream' (remotes: origin).\n"
        "hint: add it with `git remote add upstream <url>` or pass another remote\n"
    )
    assert not (repo.root / "reports" / "drift").exists()  # refused before any work
    assert github.token not in err


def test_retrain_with_labels_proposes_a_dvc_tracked_dataset_and_a_challenger(
    retrain_repo: Repo,
    github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    repo = retrain_repo
    frame = drifted_requests(repo.root)
    label_requests(repo.root, frame, 60)
    use(monkeypatch, github.env())
    before = untouched(repo)

    code, out, err = drift_pr(repo, capsys)

    assert code == 0, err
    data = f"data/shop/drift-{DAY}.parquet"
    assert changed_on_branch(repo) == REPORT_FILES | {
        f"{REPORT}/labelled_performance.json",
        repo.rel(f"{data}.dvc"),
        repo.rel("data/shop/.gitignore"),
        repo.rel("specs/dataset.yaml"),
    }
    assert repo.clone.remote_file(BRANCH, repo.rel("specs/dataset.yaml")) + "\n" == (
        DATASET_SPEC.replace(
            "    path: data/shop/export.parquet  # the first export\n", f"    path: {data}\n"
        )
    )
    assert repo.clone.remote_file(BRANCH, repo.rel("data/shop/.gitignore")) == (
        f"/drift-{DAY}.parquet"
    )
    assert untouched(repo) == before  # no data file, pointer or .gitignore left behind
    assert not (repo.root / data).exists()

    # A fresh clone of the branch gets the new data from the DVC remote.
    fresh = tmp_path / "fresh"
    subprocess.run(
        ["git", "clone", "-q", "-b", BRANCH, str(repo.clone.remote), str(fresh)], check=True
    )
    dvc(fresh / "project", "pull", "-q")
    pulled = fresh / "project" / data
    pointer = (fresh / "project" / f"{data}.dvc").read_text()
    assert f"md5: {hashlib.md5(pulled.read_bytes()).hexdigest()}\n" in pointer
    combined = pd.read_parquet(pulled)
    assert len(combined) == 260
    assert list(combined.columns) == ["x1", "x2", "plan", "spend"]
    assert combined["spend"].tail(60).tolist() == frame["spend"].head(60).tolist()
    assert combined["x1"].tail(60).tolist() == frame["x1"].head(60).tolist()

    body = github.open_pulls()[0]["body"]
    assert "performance on labelled traffic: 60 rows, r2 " in out
    assert "| metric | labelled traffic | test split |" in body
    assert (
        f"New dataset version `{data}`: 260 rows = 200 from `data/shop/raw.parquet` + 60 "
        "labelled rows of this window."
    ) in body
    assert "pushed to the remote `storage`" in body
    assert "| | champion: ridge (ridge) | challenger: ridge (ridge) |" in body
    for row in (
        "**r2** on test split (50 rows)",
        "**r2** on labelled hold-out (15 rows)",
        "p99 latency (ms)",
        "throughput (rows/s)",
    ):
        assert f"| {row} | " in body


def test_retrain_without_labels_says_it_waits_for_them(
    retrain_repo: Repo,
    github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    drifted_requests(retrain_repo.root)
    use(monkeypatch, github.env())

    assert drift_pr(retrain_repo, capsys)[0] == 0

    assert changed_on_branch(retrain_repo) == REPORT_FILES
    assert (
        "Retraining waits for labels: import them with `mlops labels import shop-api "
        "labels.csv` (columns `request_id`, `label`)"
    ) in github.open_pulls()[0]["body"]


def test_a_deployment_whose_monitoring_action_is_none_gets_no_pull_request(
    repo: Repo,
    github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    spec = repo.root / "specs" / "deployment.yaml"
    spec.write_text(spec.read_text().replace("action: pull_request", "action: none"))
    drifted_requests(repo.root)
    use(monkeypatch, github.env())

    code, out, _ = drift_pr(repo, capsys, "--force")

    assert code == 0
    assert out.startswith(
        "monitoring.action of 'shop-api' is none: no pull request (Dataset drift detected: 1 of 3"
    )
    assert set(repo.clone.remote_branches()) == {"main"}
    assert github.requests == []
