"""Deployments are part of the reconciled state: plan says what to deploy, apply deploys."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from tests.helpers.commands import mlops
from tests.helpers.diabetes_project import deployment, experiment
from tests.helpers.ports import free_port

# every test here works on the fixture project that `dvc repro` trained (reproduced_project)
pytestmark = pytest.mark.slow


def plan(root: Path) -> dict[str, object]:
    return json.loads(mlops(root, "plan", "--format", "json").stdout)


def test_plan_and_apply_deploy_redeploy_and_undeploy(repo: Path) -> None:
    port = free_port()
    (repo / "specs/deployment.yaml").write_text(deployment(port))
    try:
        [action] = plan(repo)["actions"]  # type: ignore[misc]
        assert action["action"] == "deploy" and action["resource"] == "deployment/lin-api"
        assert action["reason"].startswith("start lin-api: not deployed")
        done = mlops(repo, "apply", "--yes")
        assert f"deployed lin-api (local) at http://127.0.0.1:{port}" in done.stdout
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/health/ready", timeout=10) as r:
            assert r.status == 200
        assert plan(repo)["changes"] is False
        assert mlops(repo, "plan", "--detailed-exitcode").returncode == 0

        # serve the other experiment: the running model is out of sync
        (repo / "specs/deployment.yaml").write_text(deployment(port, "lin-b"))
        [action] = plan(repo)["actions"]  # type: ignore[misc]
        assert action["action"] == "deploy" and action["sync"] == "OutOfSync"
        mlops(repo, "apply", "--yes")
        status = json.loads(mlops(repo, "status", "--format", "json").stdout)
        assert [(s["name"], s["sync"], s["health"]) for s in status] == [
            ("lin-api", "Synced", "Healthy")
        ]

        (repo / "specs/deployment.yaml").unlink()
        [action] = plan(repo)["actions"]  # type: ignore[misc]
        assert action == {
            "action": "undeploy",
            "resource": "deployment/lin-api",
            "type": "deployment",
            "spec": "Deployment/lin-api",
            "runtime": "local",
            "reason": "undeploy lin-api: its spec was removed",
            "sync": "",
            "health": "",
            "drifted": False,
        }
        assert "undeployed lin-api (local)" in mlops(repo, "apply", "--yes").stdout
        assert plan(repo)["changes"] is False
    finally:
        mlops(repo, "undeploy", "lin-api", check=False)


def test_deployment_waits_for_a_trained_model(repo: Path) -> None:
    (repo / "specs/deployment.yaml").write_text(deployment(free_port()))
    model = repo / "models/lin-a/model.skops"
    model.unlink()
    result = plan(repo)
    assert result["changes"] is False
    [waiting] = result["waiting"]  # type: ignore[misc]
    assert waiting["resource"] == "deployment/lin-api"
    assert "models/lin-a/, which has no model.skops" in waiting["reason"]


def test_deployment_of_a_promoted_stage_serves_the_registered_bytes(repo: Path) -> None:
    import pandas as pd

    from mlops_gitops.ml.artifact import read_model_info

    assert "registered lin-a v0.1.0" in mlops(repo, "models", "register", "lin-a").stdout
    assert "to prod" in mlops(repo, "models", "promote", "lin-a", "--stage", "prod").stdout
    (repo / "specs/deployment.yaml").write_text(
        deployment(free_port()).replace("{experiment: lin-a}", "{registered: lin-a, stage: prod}")
    )
    test = pd.read_parquet(repo / "data/diabetes/test.parquet")
    test[["age", "bmi", "bp", "s5"]].to_csv(repo / "rows.csv", index=False)
    mlops(repo, "predict", "lin-api", "--input", "rows.csv", "--output", "o.parquet", "--quiet")
    served = repo / ".mlops/models/lin-a/v0.1.0"
    assert read_model_info(served).sha256 == read_model_info(repo / "models/lin-a").sha256
    assert len(pd.read_parquet(repo / "o.parquet")) == len(test)


def tree_digest(root: Path) -> dict[str, str]:
    """Every file under ``root`` (git's own folder included) and its sha256."""
    import hashlib

    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def test_plan_of_a_registered_model_reads_only_and_apply_checks_it_out(repo: Path) -> None:
    mlops(repo, "models", "register", "lin-a")
    mlops(repo, "models", "promote", "lin-a", "--stage", "prod")
    port = free_port()
    (repo / "specs/deployment.yaml").write_text(
        deployment(port).replace("{experiment: lin-a}", "{registered: lin-a, stage: prod}")
    )
    before = tree_digest(repo)
    [action] = plan(repo)["actions"]  # type: ignore[misc]
    assert tree_digest(repo) == before  # not one byte written, git and DVC folders included
    assert not (repo / ".mlops/models").exists()
    assert action["action"] == "deploy"
    assert action["reason"] == (
        "check out and deploy lin-api: model lin-a@v0.1.0 is not checked out yet"
    )
    try:
        mlops(repo, "apply", "--yes")
        assert (repo / ".mlops/models/lin-a/v0.1.0/model.json").is_file()
        assert plan(repo)["changes"] is False
        # V2 names the registry version; the content hash stays in the metadata's parameters
        url = f"http://127.0.0.1:{port}/v2/models/lin-api/versions/v0.1.0"
        with urllib.request.urlopen(url, timeout=10) as response:
            meta = json.loads(response.read())
        assert meta["versions"] == ["v0.1.0"]
        sha = json.loads((repo / "models/lin-a/model.json").read_text())["sha256"]
        assert meta["parameters"]["content_hash"] == sha[:12]
    finally:
        mlops(repo, "undeploy", "lin-api")


def test_plan_shows_deployments_apart_from_pipeline_changes(repo: Path) -> None:
    """`mlops apply` (default scope) deploys: plan says so in a section of its own."""
    port = free_port()
    (repo / "specs/deployment.yaml").write_text(deployment(port))
    (repo / "specs/experiment-b.yaml").write_text(experiment("lin-b", "lasso", 0.5))
    data = plan(repo)
    pipeline = [a["resource"] for a in data["pipeline"]]  # type: ignore[union-attr]
    deployments = [a["resource"] for a in data["deployments"]]  # type: ignore[union-attr]
    assert deployments == ["deployment/lin-api"]
    assert pipeline and "deployment/lin-api" not in pipeline
    assert [a["resource"] for a in data["actions"]] == pipeline + deployments  # type: ignore[union-attr]

    text = mlops(repo, "plan").stdout.splitlines()
    split = text.index("Deployments (apply starts, replaces or stops these servers):")
    assert text[0] == "Pipeline (dvc.yaml, params.yaml, .mlops/specs/):"
    assert [line.split()[2].rstrip(":") for line in text[1:split]] == pipeline
    assert text[split + 1].startswith(
        "  ~ deploy  deployment/lin-api [local]: start lin-api: not deployed"
    )
    assert text[split + 2].startswith("Plan: ")

    markdown = mlops(repo, "plan", "--format", "markdown").stdout
    pipeline_part, deployment_part = markdown.split("#### Deployments")
    assert "#### Pipeline" in pipeline_part and "lin-api" not in pipeline_part
    assert all(f"`{resource}`" in pipeline_part for resource in pipeline)
    assert "`mlops apply` starts, replaces or stops these servers" in deployment_part
    row = "| deploy | `deployment/lin-api` | local | start lin-api: not deployed"
    assert row in deployment_part

    only_files = json.loads(mlops(repo, "plan", "--scope", "pipeline", "--format", "json").stdout)
    assert only_files["deployments"] == [] and only_files["pipeline"] == data["pipeline"]


def test_apply_help_says_it_deploys(repo: Path) -> None:
    text = " ".join(mlops(repo, "apply", "--help").stdout.split())
    assert (
        "With the default --scope all this renders dvc.yaml, params.yaml and .mlops/specs/ AND "
        "deploys" in text
    )
    assert "Use --scope pipeline to change files only" in text
