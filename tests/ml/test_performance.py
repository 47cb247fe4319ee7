from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from mlops_gitops.errors import StageError
from mlops_gitops.ml.artifact import ModelInfo, save_model
from mlops_gitops.ml.performance import measure_processing
from mlops_gitops.ml.preprocess import build_pipeline, make_estimator
from tests.helpers.spec_objects import make_dataset


def saved_model(frame: pd.DataFrame, directory: Path) -> Path:
    dataset = make_dataset(frame, "target", {"group": "category"})
    from mlops_gitops.specs.models import Preprocessing

    estimator = make_estimator("random_forest", "classification", {"n_estimators": 20}, seed=0)
    model = build_pipeline(dataset.feature_columns, Preprocessing(), estimator)
    model.fit(frame.drop(columns="target"), frame["target"])
    info = ModelInfo("exp", "p", "d", "classification", "target", (), "random_forest", "c")
    save_model(model, directory, info)
    return directory


def test_probe_returns_sane_positive_numbers_quickly(planted: pd.DataFrame, tmp_path: Path) -> None:
    directory = saved_model(planted, tmp_path / "model")
    X = planted.drop(columns="target")
    started = time.perf_counter()
    result = measure_processing(directory, X, single_rows=50, batch_size=500, seed=1)
    assert time.perf_counter() - started < 5
    for key in ("p50_latency_ms", "p95_latency_ms", "p99_latency_ms", "load_time_ms"):
        assert 0 < result[key] < 2000, key
    assert result["p50_latency_ms"] <= result["p95_latency_ms"] <= result["p99_latency_ms"]
    assert result["throughput_rows_per_s"] > 1000 / result["p50_latency_ms"]  # batching pays
    size = (directory / "model.skops").stat().st_size / 1e6
    assert result["model_size_mb"] == pytest.approx(size)
    assert result["failures"] == 0 and 1 <= result["rows_probed"] <= 50


def test_the_time_budget_bounds_the_single_row_loop(planted: pd.DataFrame, tmp_path: Path) -> None:
    directory = saved_model(planted, tmp_path / "model")
    X = planted.drop(columns="target")
    result = measure_processing(directory, X, single_rows=1000, time_budget_s=0.0, seed=0)
    assert result["rows_probed"] == 1
    full = measure_processing(directory, X, single_rows=30, time_budget_s=120, seed=0)
    assert full["rows_probed"] == 30


def test_rows_that_raise_are_counted(planted: pd.DataFrame, tmp_path: Path) -> None:
    directory = saved_model(planted, tmp_path / "model")
    X = planted.drop(columns="target").astype({"signal": object})
    X.loc[X.index[:200], "signal"] = "not a number"
    # a generous budget: the counts below must not depend on how busy the machine is
    result = measure_processing(
        directory, X, single_rows=100, batch_size=50, seed=2, time_budget_s=120
    )
    assert 20 < result["failures"] < 80
    assert result["rows_probed"] == 100
    assert result["throughput_rows_per_s"] == 0.0  # a batch holding bad rows fails


def test_a_model_that_fails_on_every_row_is_a_stage_error(
    planted: pd.DataFrame, tmp_path: Path
) -> None:
    directory = saved_model(planted, tmp_path / "model")
    X = planted.drop(columns=["target", "noise"])
    with pytest.raises(StageError, match="failed on every probed test row"):
        measure_processing(directory, X, single_rows=5, seed=0)
