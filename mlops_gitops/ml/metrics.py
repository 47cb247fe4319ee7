"""Predictive performance of a fitted model on held-out rows, and the problem's success criteria.

:func:`evaluate_model` gives the flat scalar metrics (what ``metrics/<experiment>.json`` holds)
and, for classification, the confusion matrix apart from them. :func:`check_criteria` compares
metrics with a problem's success criteria and says by how much each passes or fails.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict

from mlops_gitops.errors import StageError
from mlops_gitops.specs.catalogue import MetricInfo, Task
from mlops_gitops.specs.models import Criterion

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CLASSIFICATION_METRICS",
    "REGRESSION_METRICS",
    "ConfusionMatrix",
    "CriterionResult",
    "Evaluation",
    "Predictions",
    "check_criteria",
    "compute_metric",
    "evaluate_model",
    "predict",
    "scorer_for",
]

CLASSIFICATION_METRICS = (
    "accuracy",
    "balanced_accuracy",
    "precision_macro",
    "recall_macro",
    "f1_macro",
    "roc_auc",
    "log_loss",
)
REGRESSION_METRICS = ("r2", "mae", "rmse", "mape")


class ConfusionMatrix(TypedDict):
    labels: list[Any]
    """Class labels, in the order of the matrix's rows (true) and columns (predicted)."""
    matrix: list[list[int]]


class Evaluation(TypedDict):
    task: str
    rows: int
    metrics: dict[str, float]
    """Flat scalar metrics, by catalogue name."""
    confusion_matrix: NotRequired[ConfusionMatrix]
    notes: list[str]
    """Metrics that could not be computed, and why."""


@dataclass(frozen=True)
class Predictions:
    """A model's predictions on some rows; ``proba`` columns follow ``classes``."""

    y_pred: Any
    proba: Any | None = None
    classes: tuple[Any, ...] = ()


def predict(task: Task, model: Any, X: pd.DataFrame) -> Predictions:
    """Predictions (and class probabilities when the model has ``predict_proba``)."""
    y_pred = model.predict(X)
    if task != "classification":
        return Predictions(y_pred)
    classes = tuple(getattr(model, "classes_", ()))
    proba = model.predict_proba(X) if hasattr(model, "predict_proba") else None
    return Predictions(y_pred, proba, classes)


def scorer_for(metric: MetricInfo, y: pd.Series) -> str | None:
    """The scikit-learn scorer for ``metric`` on target ``y``.

    ``roc_auc`` on two classes uses plain ``roc_auc``, which also takes ``decision_function``
    (an SVM without probabilities); ``roc_auc_ovr`` needs ``predict_proba``.
    """
    if metric.name == "roc_auc" and y.nunique() == 2:
        return "roc_auc"
    return metric.scorer


def compute_metric(name: str, y_true: Any, predictions: Predictions) -> float | None:
    """One metric by catalogue name; None when it cannot be computed on these rows."""
    from sklearn import metrics as skm

    y_pred = predictions.y_pred
    if name in {"roc_auc", "log_loss"}:
        return _probability_metric(name, y_true, predictions)
    plain: Mapping[str, Any] = {
        "accuracy": skm.accuracy_score,
        "balanced_accuracy": skm.balanced_accuracy_score,
        "r2": skm.r2_score,
        "mae": skm.mean_absolute_error,
        "rmse": skm.root_mean_squared_error,
        "mape": skm.mean_absolute_percentage_error,
    }
    if name in plain:
        if name == "r2" and len(y_true) < 2:
            return None
        return float(plain[name](y_true, y_pred))
    averaged = {
        "precision_macro": skm.precision_score,
        "recall_macro": skm.recall_score,
        "f1_macro": skm.f1_score,
    }
    if name in averaged:
        return float(averaged[name](y_true, y_pred, average="macro", zero_division=0))
    raise StageError(
        f"unknown metric '{name}'",
        f"use one of: {', '.join(CLASSIFICATION_METRICS + REGRESSION_METRICS)}",
    )


def _probability_metric(name: str, y_true: Any, predictions: Predictions) -> float | None:
    import numpy as np
    from sklearn import metrics as skm

    proba, classes = predictions.proba, list(predictions.classes)
    if proba is None or not classes:
        return None
    if name == "log_loss":
        return float(skm.log_loss(y_true, proba, labels=classes))
    present = np.unique(np.asarray(y_true))
    if len(present) < 2 or not set(present.tolist()) <= set(classes):
        return None
    if len(classes) == 2:
        positive = (np.asarray(y_true) == classes[1]).astype(int)
        return float(skm.roc_auc_score(positive, proba[:, 1]))
    return float(skm.roc_auc_score(y_true, proba, multi_class="ovr", labels=classes))


def evaluate_model(task: Task, model: Any, X_test: pd.DataFrame, y_test: pd.Series) -> Evaluation:
    """Every metric of ``task`` on the test rows, plus the confusion matrix for classification."""
    if len(y_test) == 0:
        raise StageError("the test split is empty", "raise the dataset's `split.test_size`")
    predictions = predict(task, model, X_test)
    names = CLASSIFICATION_METRICS if task == "classification" else REGRESSION_METRICS
    metrics: dict[str, float] = {}
    notes: list[str] = []
    for name in names:
        value = compute_metric(name, y_test, predictions)
        if value is None or math.isnan(value):
            notes.append(_why_missing(name, predictions))
        else:
            metrics[name] = value
    result: Evaluation = {"task": task, "rows": len(y_test), "metrics": metrics, "notes": notes}
    if task == "classification":
        result["confusion_matrix"] = confusion_matrix(y_test, predictions)
    return result


def _why_missing(name: str, predictions: Predictions) -> str:
    if name in {"roc_auc", "log_loss"} and predictions.proba is None:
        return f"{name}: the model has no predict_proba"
    return f"{name}: not defined on these test rows (too few rows or classes)"


def confusion_matrix(y_true: Any, predictions: Predictions) -> ConfusionMatrix:
    import numpy as np
    from sklearn.metrics import confusion_matrix as sk_confusion

    labels = (
        list(predictions.classes)
        or np.unique(np.concatenate([np.asarray(y_true), np.asarray(predictions.y_pred)])).tolist()
    )
    matrix = sk_confusion(y_true, predictions.y_pred, labels=labels)
    return {
        "labels": [_plain(label) for label in labels],
        "matrix": [[int(v) for v in row] for row in matrix],
    }


def _plain(value: Any) -> Any:
    item = getattr(value, "item", None)
    return item() if callable(item) else value


@dataclass(frozen=True)
class CriterionResult:
    """How one success criterion fared.

    ``margin`` is the signed distance to the nearest bound: positive or zero passes by that much,
    negative fails by that much; None when the metric is missing (``reason`` says so).
    """

    criterion: Criterion
    observed: float | None
    passed: bool
    margin: float | None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.criterion.metric,
            "min": self.criterion.min,
            "max": self.criterion.max,
            "criterion": self.criterion.describe(),
            "observed": self.observed,
            "passed": self.passed,
            "margin": self.margin,
            "reason": self.reason,
        }


def check_criteria(
    criteria: Sequence[Criterion], metrics: Mapping[str, float]
) -> list[CriterionResult]:
    """Check each criterion against ``metrics``; a missing (or NaN) metric fails with a reason."""
    results = []
    for criterion in criteria:
        observed = metrics.get(criterion.metric)
        if observed is None or math.isnan(observed):
            known = ", ".join(sorted(metrics)) or "none"
            results.append(
                CriterionResult(
                    criterion,
                    None,
                    passed=False,
                    margin=None,
                    reason=f"metric '{criterion.metric}' was not measured (measured: {known})",
                )
            )
            continue
        margins = []
        if criterion.min is not None:
            margins.append(observed - criterion.min)
        if criterion.max is not None:
            margins.append(criterion.max - observed)
        margin = min(margins) if margins else 0.0
        passed = criterion.check(observed)
        needs = f"{criterion.metric} = {observed:.4g}, needs {criterion.describe()}"
        reason = "" if passed else needs
        results.append(CriterionResult(criterion, float(observed), passed, margin, reason))
    return results
