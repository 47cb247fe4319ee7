"""The workflows are valid GitHub Actions workflows (check-jsonschema's vendored schema, offline)
and keep the permissions, triggers and concurrency the design asks for."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlops_gitops.scaffold.install import install_line_for
from mlops_gitops.scaffold.workflows import render_workflows
from tests.helpers.paths import REPO_ROOT
from tests.workflows.shell import load_workflow

WORKFLOW_DIR = REPO_ROOT / ".github" / "workflows"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


def check_workflows(*paths: Path) -> subprocess.CompletedProcess[str]:
    # A proxy that refuses every connection: the check must need no network.
    env = {**os.environ, "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", *map(str, paths)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_repository_workflows_match_the_github_schema() -> None:
    paths = sorted(WORKFLOW_DIR.glob("*.yml"))
    assert {p.name for p in paths} >= {"ci.yml", "cd.yml", "drift.yml"}
    done = check_workflows(*paths)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    "direct_url",
    [
        None,
        {"url": "https://github.com/o/mlops-gitops", "vcs_info": {"vcs": "git", "commit_id": "a1"}},
        {"url": "file:///src/mlops-gitops", "dir_info": {"editable": True}},
    ],
    ids=["index", "git", "local"],
)
def test_scaffolded_workflows_match_the_github_schema(
    tmp_path: Path, direct_url: dict[str, object] | None
) -> None:
    for name, text in render_workflows(install_line_for("0.1.0", direct_url).text()).items():
        (tmp_path / name).write_text(text)
    done = check_workflows(*sorted(tmp_path.iterdir()))
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_check_rejects_a_broken_workflow(tmp_path: Path) -> None:
    text = (WORKFLOW_DIR / "ci.yml").read_text()
    broken = text.replace("contents: write", "contents: admin")
    assert broken != text
    (tmp_path / "ci.yml").write_text(broken)
    done = check_workflows(tmp_path / "ci.yml")
    assert done.returncode == 1
    assert "admin" in done.stdout


def job(name: str) -> dict[str, object]:
    jobs = load_workflow(WORKFLOW_DIR / name)["jobs"]
    assert len(jobs) == 1
    return dict(next(iter(jobs.values())))


@pytest.mark.parametrize("name", ["ci.yml", "cd.yml", "drift.yml"])
def test_no_permissions_outside_the_job(name: str) -> None:
    assert load_workflow(WORKFLOW_DIR / name)["permissions"] == {}


def test_ci_runs_on_pull_requests_one_run_per_pull_request() -> None:
    workflow = load_workflow(WORKFLOW_DIR / "ci.yml")
    assert list(workflow[True]) == ["pull_request"]  # PyYAML reads the key `on` as True
    assert workflow["concurrency"] == {
        "group": "ci-${{ github.event.pull_request.number }}",
        "cancel-in-progress": True,
    }
    # write: the comment's plots go to the branch mlops/reports/pr-N (forks stay read-only)
    assert job("ci.yml")["permissions"] == {"contents": "write", "pull-requests": "write"}


def test_cd_runs_on_main_one_at_a_time_and_may_push() -> None:
    workflow = load_workflow(WORKFLOW_DIR / "cd.yml")
    assert workflow[True]["push"] == {"branches": ["main"]}
    assert workflow["concurrency"] == {"group": "cd-main", "cancel-in-progress": False}
    assert job("cd.yml")["permissions"] == {"contents": "write", "packages": "write"}


def test_drift_runs_on_a_schedule_and_by_hand_for_one_deployment() -> None:
    workflow = load_workflow(WORKFLOW_DIR / "drift.yml")
    assert workflow[True]["schedule"] == [{"cron": "0 6 * * *"}]
    inputs = workflow[True]["workflow_dispatch"]["inputs"]
    assert inputs["deployment"]["required"] is False
    assert job("drift.yml")["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert job("drift.yml")["env"]["GITHUB_TOKEN"] == "${{ secrets.GITHUB_TOKEN }}"  # type: ignore[index]


@pytest.mark.parametrize("name", ["ci.yml", "cd.yml", "drift.yml"])
def test_pip_and_dvc_cache(name: str) -> None:
    steps = job(name)["steps"]
    assert isinstance(steps, list)
    uses = {step["uses"].split("@")[0]: step for step in steps if "uses" in step}
    assert uses["actions/setup-python"]["with"] == {"python-version": "3.11", "cache": "pip"}
    cache = uses["actions/cache"]["with"]
    assert cache["path"] == ".dvc/cache"
    assert "hashFiles('dvc.lock')" in cache["key"]
    assert uses["actions/checkout"]["with"] == {"fetch-depth": 0}


def test_release_publishes_tagged_versions_with_trusted_publishing() -> None:
    workflow = load_workflow(WORKFLOW_DIR / "release.yml")
    assert workflow[True] == {"push": {"tags": ["v*"]}}  # only a version tag publishes
    assert workflow["permissions"] == {}
    build, publish = workflow["jobs"]["build"], workflow["jobs"]["publish"]
    assert build["permissions"] == {"contents": "read"}  # building cannot publish
    script = "\n".join(step.get("run", "") for step in build["steps"])
    assert "python -m build" in script
    assert "twine check --strict dist/*" in script
    assert 'if [ "$TAG" != "v$version" ]' in script
    assert publish["needs"] == "build"
    assert publish["permissions"] == {"id-token": "write"}  # OIDC, no stored API token
    assert publish["environment"]["name"] == "pypi"
    uses = [step["uses"] for step in publish["steps"]]
    assert uses == ["actions/download-artifact@v4", "pypa/gh-action-pypi-publish@release/v1"]
    assert "password" not in str(publish)  # no token in the workflow
