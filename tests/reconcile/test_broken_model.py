"""One broken model fails its own deployment only: plan, apply and status go on for the others
(exit 1, the broken one named); deploy and drift check say what is wrong without a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.commands import mlops
from tests.helpers.diabetes_project import KUBERNETES_WITH_STORE, deployment

pytestmark = pytest.mark.slow

PROBLEM = (
    "model file {root}/models/lin-a/model.json cannot be used: it is not valid JSON "
    "(Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"
)


def two_deployments(repo: Path) -> None:
    for name, experiment in (("lin-api", "lin-a"), ("lin-b-api", "lin-b")):
        text = deployment(8080, experiment).replace("runtime: local", KUBERNETES_WITH_STORE)
        text = text.replace("name: lin-api", f"name: {name}")
        (repo / f"specs/{name}.yaml").write_text(text)
    (repo / "models/lin-a/model.json").write_text("{")


def test_plan_apply_and_status_go_on_for_the_other_deployments(repo: Path) -> None:
    two_deployments(repo)
    problem = PROBLEM.format(root=repo)

    plan = mlops(repo, "plan", "--format", "json", check=False)
    assert plan.returncode == 1
    assert "Traceback" not in plan.stderr
    data = json.loads(plan.stdout)
    assert [(a["resource"], a["reason"]) for a in data["failed"]] == [
        ("deployment/lin-api", problem)
    ]
    assert [a["resource"] for a in data["actions"] if a["type"] == "deployment"] == [
        "deployment/lin-b-api"
    ]
    text = mlops(repo, "plan", check=False).stdout
    assert f"! failed  deployment/lin-api [kubernetes]: {problem}" in text
    assert "1 deployment(s) failed (see above); the rest were planned." in text

    applied = mlops(repo, "apply", "--yes", check=False)
    assert applied.returncode == 1
    assert "deployed lin-b-api (kubernetes)" in applied.stdout
    assert (repo / "deploy/lin-b-api").is_dir()
    assert not (repo / "deploy/lin-api").exists()

    status = mlops(repo, "status", "--format", "json", check=False)
    assert status.returncode == 1
    rows = {row["name"]: row for row in json.loads(status.stdout)}
    assert (rows["lin-api"]["sync"], rows["lin-api"]["health"]) == ("Unknown", "Unknown")
    assert rows["lin-api"]["detail"] == problem
    assert (rows["lin-b-api"]["sync"], rows["lin-b-api"]["health"]) == ("Synced", "Healthy")


@pytest.mark.parametrize("command", [("deploy", "lin-api"), ("drift", "check", "lin-api")])
def test_deploy_and_drift_check_name_the_file(repo: Path, command: tuple[str, ...]) -> None:
    two_deployments(repo)
    result = mlops(repo, *command, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert PROBLEM.format(root=repo) in result.stderr
    assert "retrain it with `dvc repro`" in result.stderr
