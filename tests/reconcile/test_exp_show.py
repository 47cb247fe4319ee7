"""`dvc exp show` reads well: params.yaml holds the tunables, the rest of the specs goes to
`.mlops/specs/` files that stages depend on; `dvc exp run -S` of a tunable retrains with it."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.commands import sh

pytestmark = pytest.mark.slow

ALPHA = "mlops.experiment.lin-a.candidates.ridge.params.alpha"


def exp_show_columns(repo: Path) -> list[str]:
    done = sh(repo, "dvc", "exp", "show", "--csv")
    header = next(csv.reader(io.StringIO(done.stdout)))
    return header


def test_default_exp_show_lists_the_tunables_and_metrics_not_the_spec_prose(repo: Path) -> None:
    columns = exp_show_columns(repo)
    metrics = [c for c in columns if c.startswith("metrics/")]  # two files per experiment
    params = [c for c in columns if c.startswith("mlops.")]
    # with whole spec blocks in params.yaml this project showed 70 params.yaml columns (now 24)
    assert len(params) <= 25, params
    # the rest: the five about the revision, one per dependency and the metrics
    assert len(columns) - len(metrics) <= 50, columns
    for tunable in (
        ALPHA,
        "mlops.experiment.lin-a.search.cvFolds",
        "mlops.experiment.lin-a.search.trials",
        "mlops.experiment.lin-b.candidates.lasso.params.alpha",
        "mlops.dataset.diabetes.split.testSize",
        "mlops.dataset.diabetes.split.seed",
    ):
        assert tunable in columns, tunable
    for experiment in ("lin-a", "lin-b"):
        assert {f"metrics/{experiment}.json:{m}" for m in ("r2", "mae", "rmse")} <= set(columns)
    prose = [c for c in columns if re.search(r"\.columns\.|description|successCriteria|source", c)]
    assert prose == []
    # the fixed settings are one dependency column per rendered file, not one per field
    assert ".mlops/specs/dataset-diabetes.json" in columns
    assert not any(c.startswith("mlops.problem") for c in columns)


def _experiment(shown: list[dict[str, Any]], name: str) -> dict[str, Any]:
    revs = [
        rev for commit in shown for exp in commit.get("experiments") or () for rev in exp["revs"]
    ]
    [exp] = [rev for rev in revs if rev.get("name") == name]
    data: dict[str, Any] = exp["data"]
    return data


def test_exp_run_set_of_a_search_space_value_retrains_with_it(repo: Path) -> None:
    before = json.loads((repo / "metrics/lin-a.json").read_text())
    done = sh(repo, "dvc", "exp", "run", "-n", "alpha-300", "-S", f"{ALPHA}=300.0")
    ran = re.findall(r"Running stage '([^']+)'", done.stdout)
    assert "train_lin-a" in ran and not any(name.endswith("lin-b") for name in ran)
    # the workspace holds the experiment's results: the model was trained with the new alpha
    lineage = json.loads((repo / "models/lin-a/lineage.json").read_text())
    assert lineage["params"]["candidates"]["ridge"]["params"]["alpha"] == 300.0
    after = json.loads((repo / "metrics/lin-a.json").read_text())
    assert after["r2"] != before["r2"]
    shown = json.loads(sh(repo, "dvc", "exp", "show", "--json").stdout)
    data = _experiment(shown, "alpha-300")
    params = data["params"]["params.yaml"]["data"]["mlops"]["experiment"]["lin-a"]
    assert params["candidates"]["ridge"]["params"]["alpha"] == 300.0
    assert data["metrics"]["metrics/lin-a.json"]["data"]["r2"] == after["r2"]


def test_exp_run_set_of_a_value_validate_refuses_fails_with_the_spec_message(repo: Path) -> None:
    done = sh(
        repo,
        "dvc",
        "exp",
        "run",
        "-n",
        "bad-folds",
        "-S",
        "mlops.experiment.lin-a.search.cvFolds=1",
        check=False,
    )
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert "params.yaml and .mlops/specs/ hold settings that `mlops validate` refuses" in output
    assert "params.yaml mlops.experiment.lin-a: spec.search.cvFolds" in output
    assert "Traceback" not in output
