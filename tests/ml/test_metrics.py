from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mlops_gitops.ml.metrics import check_criteria, evaluate_model
from mlops_gitops.ml.plots import plot_confusion_matrix, plot_predicted_vs_actual
from mlops_gitops.specs.models import Criterion


class Fixed:
    """A fitted 'model' whose answers are given: the metrics are then computable by hand."""

    def __init__(
        self, y_pred: list[object], proba: list[list[float]] | None, classes: list[object]
    ) -> None:
        self.y_pred = np.asarray(y_pred)
        self.proba = None if proba is None else np.asarray(proba)
        self.classes_ = np.asarray(classes)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.y_pred

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        assert self.proba is not None
        return self.proba


def test_binary_classification_metrics_by_hand() -> None:
    y = pd.Series([0, 0, 1, 1])
    model = Fixed([0, 1, 1, 1], [[0.9, 0.1], [0.4, 0.6], [0.3, 0.7], [0.2, 0.8]], [0, 1])
    result = evaluate_model("classification", model, pd.DataFrame({"x": range(4)}), y)
    m = result["metrics"]
    assert m["accuracy"] == pytest.approx(0.75)
    # recall: class 0 1/2, class 1 2/2 -> 0.75; precision: class 0 1/1, class 1 2/3
    assert m["balanced_accuracy"] == pytest.approx(0.75)
    assert m["recall_macro"] == pytest.approx(0.75)
    assert m["precision_macro"] == pytest.approx((1 + 2 / 3) / 2)
    f1_0, f1_1 = 2 * 1 * 0.5 / 1.5, 2 * (2 / 3) * 1 / (2 / 3 + 1)
    assert m["f1_macro"] == pytest.approx((f1_0 + f1_1) / 2)
    assert m["roc_auc"] == pytest.approx(1.0)  # every positive scores above every negative
    expected_log_loss = -(math.log(0.9) + math.log(0.4) + math.log(0.7) + math.log(0.8)) / 4
    assert m["log_loss"] == pytest.approx(expected_log_loss)
    assert result["confusion_matrix"] == {"labels": [0, 1], "matrix": [[1, 1], [0, 2]]}
    assert "confusion_matrix" not in m and result["notes"] == []


def test_multiclass_roc_auc_is_one_vs_rest_and_missing_proba_is_noted() -> None:
    y = pd.Series(["a", "b", "c"])
    model = Fixed(
        ["a", "b", "c"], [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]], ["a", "b", "c"]
    )
    result = evaluate_model("classification", model, pd.DataFrame({"x": range(3)}), y)
    assert result["metrics"]["roc_auc"] == pytest.approx(1.0)

    class NoProba:
        classes_ = np.asarray(["a", "b", "c"])

        def predict(self, X: pd.DataFrame) -> np.ndarray:
            return np.asarray(["a", "a", "c"])

    plain = evaluate_model("classification", NoProba(), pd.DataFrame({"x": range(3)}), y)
    assert "roc_auc" not in plain["metrics"] and "log_loss" not in plain["metrics"]
    assert plain["notes"] == [
        "roc_auc: the model has no predict_proba",
        "log_loss: the model has no predict_proba",
    ]
    assert plain["confusion_matrix"]["matrix"] == [[1, 0, 0], [1, 0, 0], [0, 0, 1]]


def test_regression_metrics_by_hand() -> None:
    y = pd.Series([1.0, 2.0, 4.0])
    model = Fixed([2.0, 2.0, 3.0], None, [])
    result = evaluate_model("regression", model, pd.DataFrame({"x": range(3)}), y)
    m = result["metrics"]
    assert m["mae"] == pytest.approx(2 / 3)
    assert m["rmse"] == pytest.approx(math.sqrt(2 / 3))
    assert m["mape"] == pytest.approx((1 / 1 + 0 + 1 / 4) / 3)
    ss_res, ss_tot = 2.0, (1 - 7 / 3) ** 2 + (2 - 7 / 3) ** 2 + (4 - 7 / 3) ** 2
    assert m["r2"] == pytest.approx(1 - ss_res / ss_tot)
    assert "confusion_matrix" not in result


def test_criteria_pass_and_fail_with_signed_margins() -> None:
    metrics = {"accuracy": 0.82, "rmse": 12.0, "p95_latency_ms": 30.0}
    results = check_criteria(
        [
            Criterion("accuracy", min=0.8),
            Criterion("rmse", max=10.0),
            Criterion("p95_latency_ms", min=0.0, max=50.0),
            Criterion("f1_macro", min=0.5),
        ],
        metrics,
    )
    accuracy, rmse, latency, f1 = results
    assert accuracy.passed and accuracy.margin == pytest.approx(0.02)
    assert not rmse.passed and rmse.margin == pytest.approx(-2.0)
    assert rmse.reason == "rmse = 12, needs rmse <= 10"
    assert latency.passed and latency.margin == pytest.approx(20.0)  # nearer bound: 50 - 30
    assert not f1.passed and f1.observed is None and f1.margin is None
    assert f1.reason.startswith("metric 'f1_macro' was not measured")
    assert f1.to_dict()["criterion"] == "f1_macro >= 0.5"


def test_plots_are_png_files(tmp_path: object) -> None:
    from pathlib import Path

    out = Path(str(tmp_path))
    cm = plot_confusion_matrix([[3, 1], [0, 4]], ["no", "yes"], out / "cm.png")
    pva = plot_predicted_vs_actual([1.0, 2.0, 3.0], [1.1, 1.9, 3.2], out / "pva.png")
    for path in (cm, pva):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size > 5000
