"""Commands that use a model trained by the real pipeline: explain (what-if), predict by name."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers.commands import mlops

# every test here works on the fixture project that `dvc repro` trained (reproduced_project)
pytestmark = pytest.mark.slow

ROW = {"age": 50.0, "bmi": 25.0, "bp": 90.0, "s5": 4.6}


def test_explain_what_if_changes_the_prediction(repo: Path) -> None:
    done = mlops(
        repo, "explain", "lin-a", "--row", json.dumps(ROW), "--set", "bmi=35", "--format", "json"
    )
    answer = json.loads(done.stdout)
    assert answer["after"] > answer["before"]  # BMI raises predicted progression
    assert abs(answer["delta"] - (answer["after"] - answer["before"])) < 1e-9


def test_explain_unknown_column_is_a_clear_error(repo: Path) -> None:
    done = mlops(repo, "explain", "lin-a", "--row", json.dumps(ROW), "--set", "bmj=35", check=False)
    assert done.returncode == 1
    assert "cannot change bmj: not an input of the model" in done.stderr
    assert "Traceback" not in done.stderr


def test_predict_by_experiment_name(repo: Path) -> None:
    test = pd.read_parquet(repo / "data/diabetes/test.parquet")
    test[list(ROW)].to_csv(repo / "rows.csv", index=False)
    mlops(repo, "predict", "lin-b", "--input", "rows.csv", "--output", "out.parquet", "--quiet")
    out = pd.read_parquet(repo / "out.parquet")
    assert len(out) == len(test) and out["prediction"].between(0, 400).all()
    bad = mlops(
        repo, "predict", "nope", "--input", "rows.csv", "--output", "o.parquet", check=False
    )
    assert bad.returncode == 1 and "no Deployment or Experiment named 'nope'" in bad.stderr
