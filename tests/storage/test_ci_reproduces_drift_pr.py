"""The scaffolded ci.yml reproduces a drift pull request that retrains: its commands, in order,
run in a fresh clone of the drift branch, whose new dataset version exists only on the DVC
remote (a real S3 server); the pipeline runs and the plan and metrics comment reaches the PR.

Steps that are actions (checkout, setup-python, cache, upload-artifact) and the install step are
what the runner provides; every ``run:`` step is run as GitHub runs it (``bash -e -o pipefail``),
with its ``if:`` and ``continue-on-error`` honoured. The project is a sub-folder of the
repository here, so the commands run there (as ``defaults.run.working-directory`` would)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import s3fs
import yaml

from mlops_gitops.cli import main
from mlops_gitops.scaffold.workflows import REPOSITORY_INSTALL, render_workflows
from tests.helpers.github_fake import FakeGitHub
from tests.helpers.shop_project import (
    DAY,
    DEPLOYMENT,
    NOW,
    drifted_requests,
    label_requests,
    make_repo,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

BRANCH = f"mlops/drift/{DEPLOYMENT}/{DAY}"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def github_context(number: int) -> dict[str, str]:
    return {
        "github.base_ref": "main",
        "github.server_url": "https://github.example",
        "github.repository": "octo/shop",
        "github.run_id": "1",
        "github.event.pull_request.number": str(number),
        "github.event.pull_request.head.repo.fork": "false",
    }


def expand(text: str, context: dict[str, str], secrets: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("secrets."):
            return secrets.get(name.removeprefix("secrets."), "")
        return context[name]

    return EXPRESSION.sub(value, text)


def run_ci(workflow: dict[str, Any], cwd: Path, env: dict[str, str], secrets: dict[str, str]):
    """Run the job's steps in order; (step name, exit code) of each ``run:`` step."""
    (job,) = workflow["jobs"].values()
    context = github_context(1)
    job_env = {k: expand(str(v), context, secrets) for k, v in job.get("env", {}).items()}
    outcomes: dict[str, str] = {}
    ran: list[tuple[str, int]] = []
    for step in job["steps"]:
        if "run" not in step or step.get("name") == "Install mlops-gitops":
            continue  # actions and the install: what the runner (this virtualenv) provides
        condition = step.get("if")
        if condition is not None:
            match = re.fullmatch(r"steps\.(\w+)\.outcome == '(\w+)'", condition)
            assert match, f"unsupported if: {condition}"
            if outcomes.get(match.group(1)) != match.group(2):
                continue
        script = expand(step["run"], context, secrets)
        done = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", script],
            check=False,
            cwd=cwd,
            env={**env, **job_env},
            capture_output=True,
            text=True,
            timeout=600,
        )
        ran.append((step["name"], done.returncode))
        if "id" in step:
            outcomes[step["id"]] = "success" if done.returncode == 0 else "failure"
        allowed = expand(str(step.get("continue-on-error", "false")), context, secrets).lower()
        if done.returncode != 0 and allowed != "true":
            raise AssertionError(f"step {step['name']!r} failed:\n{done.stdout}\n{done.stderr}")
    return ran


def test_ci_reproduces_a_retraining_drift_pr_from_the_s3_dvc_remote(
    tmp_path: Path,
    s3_bucket: str,
    github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo = make_repo(tmp_path, retrain=True)
    remote = f"{s3_bucket}/dvc"
    subprocess.run(
        [Path(sys.executable).with_name("dvc"), "remote", "modify", "storage", "url", remote],
        cwd=repo.root,
        check=True,
    )
    # main holds the applied pipeline files, as a project after its first `mlops apply`; the
    # pipeline's outputs are DVC's, not git's
    assert main(["-C", str(repo.root), "apply", "--scope", "pipeline", "--yes"]) == 0
    outputs = ["data/shop/raw.parquet", "data/shop/train.parquet", "data/shop/test.parquet"]
    outputs += ["models", "metrics"]
    repo.clone.git("rm", "-r", "-q", "--cached", *[repo.rel(p) for p in outputs])
    with (repo.root / ".gitignore").open("a") as ignore:
        ignore.writelines(f"/{p}\n" for p in outputs)
    repo.clone.git("add", "-A")
    repo.clone.git("commit", "-qm", "the pipeline, data on S3")
    repo.clone.git("push", "-q", "origin", "main")
    frame = drifted_requests(repo.root)
    label_requests(repo.root, frame, 60)
    for name, value in github.env().items():
        monkeypatch.setenv(name, value)
    assert main(["-C", str(repo.root), "drift", "pr", DEPLOYMENT, "--now", NOW.isoformat()]) == 0
    capsys.readouterr()
    fs = s3fs.S3FileSystem(skip_instance_cache=True, use_listings_cache=False)
    assert fs.find(remote.removeprefix("s3://")), "the drift PR pushed its data to the remote"

    runner = tmp_path / "runner"
    subprocess.run(
        ["git", "clone", "-q", "-b", BRANCH, str(repo.clone.remote), str(runner)], check=True
    )
    subprocess.run(["git", "fetch", "-q", "origin", "main"], cwd=runner, check=True)
    project = runner / "project"
    assert not (project / f"data/shop/drift-{DAY}.parquet").exists()  # only its pointer
    summary = tmp_path / "summary.md"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_REF": "refs/pull/1/merge",
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    secrets = {
        "GITHUB_TOKEN": github.token,
        "AWS_ACCESS_KEY_ID": os.environ["AWS_ACCESS_KEY_ID"],
        "AWS_SECRET_ACCESS_KEY": os.environ["AWS_SECRET_ACCESS_KEY"],
    }
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        env.pop(name)  # only what the workflow passes from its secrets

    ran = run_ci(
        yaml.safe_load(render_workflows(REPOSITORY_INSTALL)["ci.yml"]), project, env, secrets
    )

    assert [name for name, _ in ran] == [
        "Validate the specs",
        "Plan",
        "Comment the plan",
        "Are the applied pipeline files committed?",
        "Apply the specs (in this runner only)",
        "Reproduce the pipeline",
        "Metrics and plots against the base branch",
        "Comment plan, metrics and plots",
    ]
    assert all(code == 0 for _, code in ran), ran
    assert (project / f"data/shop/drift-{DAY}.parquet").is_file()  # pulled from S3
    assert (project / "dvc.lock").is_file()
    comments = github.comments_on(1)
    assert len(comments) == 1  # one comment, updated with the metrics
    assert "### Metrics against `main`" in comments[0]["body"]
    assert secrets["AWS_SECRET_ACCESS_KEY"] not in summary.read_text() + comments[0]["body"]
