"""The reconciler against real git + DVC repositories and real `dvc repro`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from tests.helpers.commands import git, mlops, sh
from tests.helpers.diabetes_project import experiment


def stale_stages(root: Path) -> set[str]:
    """Stages `dvc status` says would run."""
    out = sh(root, "dvc", "status", "--json").stdout
    return set(json.loads(out or "{}"))


def plan(root: Path, *args: str) -> dict[str, object]:
    return json.loads(mlops(root, "plan", "--format", "json", *args).stdout)


def changed_resources(root: Path) -> list[str]:
    return [a["resource"] for a in plan(root)["actions"]]  # type: ignore[index, union-attr]


@pytest.mark.slow
def test_fresh_apply_and_repro_produce_data_models_and_metrics(repo: Path) -> None:
    for path in (
        "data/diabetes/raw.parquet",
        "data/diabetes/train.parquet",
        "data/diabetes/test.parquet",
        "reports/diabetes/profile.json",
        "reports/diabetes/plots/histograms.png",
        "reports/diabetes/validation.json",
        "models/lin-a/model.skops",
        "models/lin-a/model.json",
        "models/lin-a/leaderboard.json",
        "models/lin-a/lineage.json",
        "models/lin-a/model_card.md",
        "models/lin-a/reference_profile.json",
        "reports/lin-a/interpret/importance.json",
        "metrics/lin-b.performance.json",
    ):
        assert (repo / path).is_file(), path
    metrics = json.loads((repo / "metrics/lin-a.json").read_text())
    assert 0.1 < metrics["r2"] < 1 and metrics["criteria_passed"] is True
    assert {"mae", "rmse", "mape"} <= set(metrics)


@pytest.mark.slow
def test_second_repro_runs_nothing(repo: Path) -> None:
    assert stale_stages(repo) == set()
    out = sh(repo, "dvc", "repro").stdout
    assert "Running stage" not in out
    assert plan(repo, "--detailed-exitcode")["changes"] is False


@pytest.mark.slow
def test_plan_exit_codes(repo: Path) -> None:
    assert mlops(repo, "plan", "--detailed-exitcode").returncode == 0
    path = repo / "specs/experiment-a.yaml"
    path.write_text(path.read_text().replace("alpha: 1.0", "alpha: 3.0"))
    done = mlops(repo, "plan", "--detailed-exitcode", check=False)
    assert done.returncode == 2, done.stderr


@pytest.mark.slow
def test_changed_hyperparameter_touches_only_that_experiment(repo: Path) -> None:
    path = repo / "specs/experiment-a.yaml"
    path.write_text(path.read_text().replace("alpha: 1.0", "alpha: 3.0"))
    assert changed_resources(repo) == ["params/mlops.experiment.lin-a"]
    mlops(repo, "apply", "--yes")
    assert stale_stages(repo) == {"train_lin-a"}
    ran = re.findall(r"Running stage '([^']+)'", sh(repo, "dvc", "repro").stdout)
    assert set(ran) <= {
        "train_lin-a",
        "evaluate_lin-a",
        "performance_lin-a",
        "interpret_lin-a",
        "reference_lin-a",
        "card_lin-a",
    }
    assert "train_lin-a" in ran


@pytest.mark.slow
def test_changed_description_or_label_reruns_nothing(repo: Path) -> None:
    write = {
        "specs/experiment-a.yaml": experiment("lin-a", "ridge", 1.0, description="new words"),
        "specs/problem.yaml": (repo / "specs/problem.yaml")
        .read_text()
        .replace("team: a", "team: b")
        .replace("How far does", "How far, in a year, does"),
    }
    for name, text in write.items():
        (repo / name).write_text(text)
    assert changed_resources(repo) == []
    assert mlops(repo, "apply", "--yes").stdout.startswith("No changes.")
    assert stale_stages(repo) == set()


@pytest.mark.slow
def test_deleted_experiment_is_pruned_and_hand_written_stage_survives(repo: Path) -> None:
    (repo / "specs/experiment-b.yaml").unlink()
    actions = {a["resource"]: a["action"] for a in plan(repo)["actions"]}  # type: ignore[union-attr]
    assert set(actions.values()) == {"delete"}
    assert "stage/train_lin-b" in actions and "params/mlops.experiment.lin-b" in actions
    mlops(repo, "apply", "--yes")
    stages = yaml.safe_load((repo / "dvc.yaml").read_text())["stages"]
    assert "hello" in stages
    assert not any(name.endswith("lin-b") for name in stages)
    assert "train_lin-a" in stages
    params_text = (repo / "params.yaml").read_text()
    assert "# hand-written params stay" in params_text and "seed: 7  # mine" in params_text
    assert "lin-b" not in params_text
    assert "# a person's own stage" in (repo / "dvc.yaml").read_text()


@pytest.mark.slow
def test_hand_edit_of_managed_stage_is_reported_and_restored(repo: Path) -> None:
    dvc_file = repo / "dvc.yaml"
    original = dvc_file.read_text()
    dvc_file.write_text(
        original.replace(
            "cmd: python -m mlops_gitops.stages train lin-a", "cmd: python train_by_hand.py"
        )
    )
    [action] = plan(repo)["actions"]  # type: ignore[misc]
    assert action == {
        "action": "update",
        "resource": "stage/train_lin-a",
        "type": "stage",
        "spec": "Experiment/lin-a",
        "reason": "modified outside mlops; apply restores it",
        "drifted": True,
    }
    diff = mlops(repo, "plan", "--diff").stdout
    assert "-cmd: python train_by_hand.py" in diff
    assert "+cmd: python -m mlops_gitops.stages train lin-a" in diff
    mlops(repo, "apply", "--yes")
    assert dvc_file.read_text() == original


@pytest.mark.slow
def test_invalid_spec_makes_apply_change_nothing(repo: Path) -> None:
    path = repo / "specs/experiment-a.yaml"
    path.write_text(path.read_text().replace("alpha: 1.0", "alpha: 3.0").replace("ridge", "rigde"))
    before = {p: (repo / p).read_bytes() for p in ("dvc.yaml", "params.yaml", ".mlops/state.json")}
    done = mlops(repo, "apply", "--yes", check=False)
    assert done.returncode == 1
    assert "specs/experiment-a.yaml:10:18: spec.candidates[0].estimator" in done.stderr
    assert "Traceback" not in done.stderr
    after = {p: (repo / p).read_bytes() for p in before}
    assert after == before


@pytest.mark.slow
def test_second_apply_is_a_no_op_and_writes_nothing(repo: Path) -> None:
    path = repo / "specs/experiment-a.yaml"
    path.write_text(path.read_text().replace("alpha: 1.0", "alpha: 2.0"))
    mlops(repo, "apply", "--yes")
    stamps = {
        p: (repo / p).stat().st_mtime_ns for p in ("dvc.yaml", "params.yaml", ".mlops/state.json")
    }
    second = mlops(repo, "apply", "--yes")
    assert second.stdout.startswith("No changes.")
    assert {p: (repo / p).stat().st_mtime_ns for p in stamps} == stamps


@pytest.mark.slow
def test_state_keeps_attempted_and_applied_revisions(repo: Path) -> None:
    path = repo / "specs/experiment-a.yaml"
    path.write_text(path.read_text().replace("alpha: 1.0", "alpha: 2.0"))
    git(repo, "commit", "-qam", "alpha 2")
    head = git(repo, "rev-parse", "HEAD")
    mlops(repo, "apply", "--yes")
    state = json.loads((repo / ".mlops/state.json").read_text())
    assert state["lastAppliedRevision"] == head
    assert state["lastAttemptedRevision"] == head
    assert state["resources"]["stage/train_lin-a"]["spec"] == "Experiment/lin-a"


@pytest.mark.slow
def test_plan_since_lists_changed_specs_and_what_they_affect(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    path = repo / "specs/problem.yaml"
    path.write_text(path.read_text().replace("min: 0.1", "min: 0.2"))
    git(repo, "commit", "-qam", "stricter")
    since = plan(repo, "--since", base)["since"]
    assert since["changed_files"] == ["specs/problem.yaml"]  # type: ignore[index]
    assert since["affected_specs"] == [  # type: ignore[index]
        "Experiment/lin-a",
        "Experiment/lin-b",
        "Problem/progression",
    ]
    bad = mlops(repo, "plan", "--since", "no-such-ref", check=False)
    assert bad.returncode == 1 and "cannot compare with git ref 'no-such-ref'" in bad.stderr


def test_repository_example_is_in_sync_with_its_specs() -> None:
    """CI runs `mlops plan --detailed-exitcode` on main: the committed dvc.yaml must match."""
    from tests.helpers.paths import REPO_ROOT

    done = mlops(REPO_ROOT, "plan", "--detailed-exitcode", check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_dvc_experiments_run_with_a_changed_param_and_show_up(repo: Path) -> None:
    done = sh(
        repo, "dvc", "exp", "run", "-n", "folds-3", "-S", "mlops.experiment.lin-a.search.cvFolds=3"
    )
    ran = re.findall(r"Running stage '([^']+)'", done.stdout)
    assert "train_lin-a" in ran and not any(name.endswith("lin-b") for name in ran)
    shown = json.loads(sh(repo, "dvc", "exp", "show", "--json").stdout)
    revs = [
        rev for commit in shown for exp in commit.get("experiments") or () for rev in exp["revs"]
    ]
    [exp] = [rev for rev in revs if rev.get("name") == "folds-3"]
    params = exp["data"]["params"]["params.yaml"]["data"]["mlops"]["experiment"]["lin-a"]
    assert params["search"]["cvFolds"] == 3
    metrics = exp["data"]["metrics"]["metrics/lin-a.json"]["data"]
    assert 0 < metrics["r2"] < 1
