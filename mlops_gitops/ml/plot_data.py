"""The data behind an experiment's DVC plots: small CSV files that ``dvc plots show`` renders and
``dvc plots diff`` overlays across revisions (the templates and axes are declared per stage in
dvc.yaml by :mod:`mlops_gitops.render.dvc`, from :data:`PLOT_FILES`).

Classification: one row per test row for the confusion matrix, the ROC and precision-recall
curves (binary: the positive class; multiclass: micro-averaged one-vs-rest). Regression: actual
against predicted, and residuals against predicted. Both: permutation importance per column.
Curves are thinned to at most :data:`MAX_CURVE_POINTS` points so the files stay reviewable.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_gitops.fsutil import atomic_write_text

if TYPE_CHECKING:
    from mlops_gitops.ml.metrics import Predictions

__all__ = [
    "IMPORTANCE_PLOT",
    "MAX_CURVE_POINTS",
    "PDP_ICE_DIR",
    "PLOT_FILES",
    "PlotFile",
    "classification_rows",
    "importance_rows",
    "regression_rows",
    "write_csv",
]

MAX_CURVE_POINTS = 200
# the interpret stage's folder of partial dependence / ICE images (DVC image plots)
PDP_ICE_DIR = "pdp_ice"


@dataclass(frozen=True)
class PlotFile:
    """One data file and how DVC draws it (a built-in template and its axes)."""

    file: str
    template: str
    x: str
    y: str
    title: str

    def dvc_props(self, experiment: str) -> dict[str, str]:
        return {
            "template": self.template,
            "x": self.x,
            "y": self.y,
            "title": f"{experiment}: {self.title}",
        }


# evaluate/<file>, per task
PLOT_FILES: Mapping[str, tuple[PlotFile, ...]] = {
    "classification": (
        PlotFile("confusion.csv", "confusion", "predicted", "actual", "confusion matrix (test)"),
        PlotFile("roc.csv", "simple", "fpr", "tpr", "ROC curve (test)"),
        PlotFile(
            "precision_recall.csv", "simple", "recall", "precision", "precision-recall (test)"
        ),
    ),
    "regression": (
        PlotFile("predictions.csv", "scatter", "actual", "predicted", "predicted vs actual (test)"),
        PlotFile("residuals.csv", "scatter", "predicted", "residual", "residuals (test)"),
    ),
}
IMPORTANCE_PLOT = PlotFile(
    "importance.csv", "bar_horizontal_sorted", "importance", "feature", "permutation importance"
)


def _thin(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len(rows) <= MAX_CURVE_POINTS:
        return rows
    step = (len(rows) - 1) / (MAX_CURVE_POINTS - 1)
    return [rows[round(i * step)] for i in range(MAX_CURVE_POINTS)]


def _scores(y_true: Any, predictions: Predictions) -> tuple[Any, Any]:
    """(binary truth, score) for the curves: the positive class, or micro-averaged one-vs-rest.

    A model without ``predict_proba`` scores with its hard predictions (a three-point curve).
    """
    import numpy as np
    from sklearn.preprocessing import label_binarize

    truth = np.asarray(y_true)
    classes = list(predictions.classes) or sorted(set(truth.tolist()))
    if predictions.proba is not None:
        score = np.asarray(predictions.proba, dtype=float)
    else:
        score = label_binarize(np.asarray(predictions.y_pred), classes=classes).astype(float)
    binary = label_binarize(truth, classes=classes)
    if len(classes) == 2:
        positive = score[:, -1] if score.ndim == 2 and score.shape[1] == 2 else score.ravel()
        return binary.ravel(), positive
    return binary.ravel(), score.ravel()


def classification_rows(y_true: Any, predictions: Predictions) -> dict[str, list[dict[str, Any]]]:
    """File name -> rows, for :data:`PLOT_FILES` ``classification``."""
    import numpy as np
    from sklearn.metrics import precision_recall_curve, roc_curve

    confusion = [
        {"actual": _plain(a), "predicted": _plain(p)}
        for a, p in zip(np.asarray(y_true), np.asarray(predictions.y_pred), strict=True)
    ]
    truth, score = _scores(y_true, predictions)
    fpr, tpr, roc_thresholds = roc_curve(truth, score)
    roc = [
        {"fpr": float(f), "tpr": float(t), "threshold": _finite(th)}
        for f, t, th in zip(fpr, tpr, roc_thresholds, strict=True)
    ]
    precision, recall, pr_thresholds = precision_recall_curve(truth, score)
    # the last point (recall 0, precision 1) has no threshold
    pr_thresholds = [*pr_thresholds, float("nan")]
    curve = [
        {"recall": float(r), "precision": float(p), "threshold": _finite(th)}
        for r, p, th in zip(recall, precision, pr_thresholds, strict=True)
    ]
    return {
        "confusion.csv": confusion,
        "roc.csv": _thin(roc),
        "precision_recall.csv": _thin(curve[::-1]),
    }


def regression_rows(y_true: Any, y_pred: Any) -> dict[str, list[dict[str, Any]]]:
    """File name -> rows, for :data:`PLOT_FILES` ``regression``."""
    import numpy as np

    actual = np.asarray(y_true, dtype=float)
    predicted = np.asarray(y_pred, dtype=float)
    return {
        "predictions.csv": [
            {"actual": float(a), "predicted": float(p)}
            for a, p in zip(actual, predicted, strict=True)
        ],
        "residuals.csv": [
            {"predicted": float(p), "residual": float(a - p)}
            for a, p in zip(actual, predicted, strict=True)
        ],
    }


def importance_rows(importances: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Permutation importance (mean drop in score) per column, as the importance plot's rows."""
    return [
        {"feature": row["feature"], "importance": float(row["mean"]), "std": float(row["std"])}
        for row in importances
    ]


def write_csv(path: Path, rows: Sequence[Mapping[str, Any]]) -> Path:
    """Rows as CSV with a header (atomically); an empty list still writes the header-less file."""
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    atomic_write_text(path, buffer.getvalue())
    return path


def _plain(value: Any) -> Any:
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def _finite(value: Any) -> float | str:
    number = float(value)
    return number if math.isfinite(number) else ""
