"""Fairness: the primary metric per group of each sensitive column, and the largest gap.

A model can score well overall and badly for one group; this puts the per-group numbers side
by side. Numeric sensitive columns with many values are cut into quartiles; missing values form
a group of their own. Groups with fewer than ``min_rows`` rows are listed but not used for the
gap (their scores are noise). A column is ``flagged`` only when its gap exceeds
``gap_threshold`` (:data:`GAP_THRESHOLD` of the metric by default); the report says what it
measured and the threshold it used.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mlops_gitops.ml.metrics import Predictions, compute_metric
from mlops_gitops.specs.catalogue import MetricInfo

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["GAP_THRESHOLD", "MIN_GROUP_ROWS", "fairness_report", "group_labels"]

MIN_GROUP_ROWS = 5
GAP_THRESHOLD = 0.1
"""A difference of 0.1 in the primary metric between the best and the worst group (e.g. 10
points of recall) is flagged; smaller gaps are reported, not flagged."""
MAX_NUMERIC_GROUPS = 10


def group_labels(column: pd.Series) -> pd.Series:
    """A text group label per row: the value itself, a quartile range, or ``missing``."""
    import pandas as pd

    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    if numeric and column.nunique() > MAX_NUMERIC_GROUPS:
        column = pd.qcut(column, q=4, duplicates="drop")
    labels = column.astype(object).map(lambda v: "missing" if pd.isna(v) else str(v))
    return labels.astype(object)


def fairness_report(
    metric: MetricInfo,
    y_true: pd.Series,
    predictions: Predictions,
    sensitive: pd.DataFrame,
    *,
    min_rows: int = MIN_GROUP_ROWS,
    gap_threshold: float = GAP_THRESHOLD,
) -> dict[str, Any]:
    """Per sensitive column: the metric per group, the best and worst group and their gap.

    ``largest_gap`` names the column with the widest gap; every column whose gap exceeds
    ``gap_threshold`` has ``flagged: true``.
    """
    import numpy as np

    columns: dict[str, Any] = {}
    for name in sensitive.columns:
        labels = group_labels(sensitive[name]).to_numpy()
        groups = []
        for group in sorted(set(labels.tolist())):
            mask = labels == group
            subset = Predictions(
                predictions.y_pred[mask],
                None if predictions.proba is None else predictions.proba[mask],
                predictions.classes,
            )
            value = compute_metric(metric.name, y_true.to_numpy()[mask], subset)
            usable = value is not None and not np.isnan(value) and int(mask.sum()) >= min_rows
            groups.append({"group": group, "rows": int(mask.sum()), "value": value, "used": usable})
        columns[str(name)] = _column_summary(groups, metric)
    largest = _largest(columns)
    for summary in columns.values():
        summary["flagged"] = summary["gap"] is not None and summary["gap"] > gap_threshold
    return {
        "measured": (
            f"{metric.name} on the test split for each group of each sensitive column; the gap "
            f"is best minus worst group (groups of at least {min_rows} rows)"
        ),
        "gap_threshold": gap_threshold,
        "metric": metric.name,
        "greater_is_better": metric.greater_is_better,
        "min_group_rows": min_rows,
        "columns": columns,
        "largest_gap": None
        if largest is None
        else {"column": largest, **{k: columns[largest][k] for k in ("gap", "best", "worst")}},
    }


def _column_summary(groups: Sequence[dict[str, Any]], metric: MetricInfo) -> dict[str, Any]:
    used = [g for g in groups if g["used"]]
    summary: dict[str, Any] = {"groups": list(groups), "flagged": False}
    if len(used) < 2:
        summary.update(gap=None, best=None, worst=None)
        summary["note"] = f"fewer than two groups with a score and {MIN_GROUP_ROWS}+ rows"
        return summary
    ordered = sorted(used, key=lambda g: g["value"], reverse=metric.greater_is_better)
    best, worst = ordered[0], ordered[-1]
    summary.update(
        gap=abs(best["value"] - worst["value"]), best=best["group"], worst=worst["group"]
    )
    return summary


def _largest(columns: dict[str, Any]) -> str | None:
    gaps = [
        (summary["gap"], name) for name, summary in columns.items() if summary["gap"] is not None
    ]
    return max(gaps)[1] if gaps else None
