"""The data files behind the DVC plots: curves agree with scikit-learn's scores."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.metrics import average_precision_score, roc_auc_score

from mlops_gitops.ml.metrics import predict
from mlops_gitops.ml.plot_data import (
    MAX_CURVE_POINTS,
    PLOT_FILES,
    classification_rows,
    importance_rows,
    regression_rows,
    write_csv,
)


def _auc(rows: list[dict[str, float | str]], x: str, y: str) -> float:
    xs = np.array([float(r[x]) for r in rows])
    ys = np.array([float(r[y]) for r in rows])
    return float(np.sum(np.diff(xs) * (ys[1:] + ys[:-1]) / 2))


def test_binary_curves_match_sklearn_and_files_match_the_declared_plots() -> None:
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X = X.iloc[:, :5]
    model = LogisticRegression(max_iter=2000).fit(X, y)
    predictions = predict("classification", model, X)
    rows = classification_rows(y, predictions)
    assert set(rows) == {p.file for p in PLOT_FILES["classification"]}
    assert len(rows["confusion.csv"]) == len(y)
    assert rows["confusion.csv"][0] == {
        "actual": int(y.iloc[0]),
        "predicted": int(model.predict(X.iloc[[0]])[0]),
    }
    roc = rows["roc.csv"]
    assert (roc[0]["fpr"], roc[0]["tpr"]) == (0.0, 0.0) and (roc[-1]["fpr"], roc[-1]["tpr"]) == (
        1.0,
        1.0,
    )
    assert len(roc) <= MAX_CURVE_POINTS
    expected = roc_auc_score(y, model.predict_proba(X)[:, 1])
    assert _auc(roc, "fpr", "tpr") == pytest.approx(expected, abs=0.01)
    pr = rows["precision_recall.csv"]
    assert pr[0]["recall"] == 0.0 and pr[-1]["recall"] == 1.0
    ap = average_precision_score(y, model.predict_proba(X)[:, 1])
    assert _auc(pr, "recall", "precision") == pytest.approx(ap, abs=0.02)


def test_multiclass_is_micro_averaged_and_models_without_proba_still_get_curves() -> None:
    X, y = load_iris(return_X_y=True, as_frame=True)
    model = RidgeClassifier().fit(X, y)  # no predict_proba: hard predictions score the curve
    rows = classification_rows(y, predict("classification", model, X))
    roc = rows["roc.csv"]
    assert (roc[0]["fpr"], roc[0]["tpr"]) == (0.0, 0.0)
    assert len(roc) == 3  # no scores between the hard 0/1 predictions
    accuracy = float(np.mean(model.predict(X) == y))
    # micro-averaged one-vs-rest: the middle point's tpr is the accuracy
    assert roc[1]["tpr"] == pytest.approx(accuracy)


def test_regression_rows_and_csv_round_trip(tmp_path: Path) -> None:
    rows = regression_rows([3.0, 5.0], np.array([2.5, 6.0]))
    assert rows == {
        "predictions.csv": [
            {"actual": 3.0, "predicted": 2.5},
            {"actual": 5.0, "predicted": 6.0},
        ],
        "residuals.csv": [
            {"predicted": 2.5, "residual": 0.5},
            {"predicted": 6.0, "residual": -1.0},
        ],
    }
    path = write_csv(tmp_path / "residuals.csv", rows["residuals.csv"])
    assert path.read_text() == "predicted,residual\n2.5,0.5\n6.0,-1.0\n"
    importance = importance_rows([{"feature": "bmi", "mean": 0.25, "std": 0.01}])
    write_csv(tmp_path / "importance.csv", importance)
    with (tmp_path / "importance.csv").open() as handle:
        assert list(csv.DictReader(handle)) == [
            {"feature": "bmi", "importance": "0.25", "std": "0.01"}
        ]
