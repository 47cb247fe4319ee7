"""Interpretation of a trained model: what it relies on, per feature, per row and per group.

The point is to catch a model that is right for the wrong reason (the husky "recognised" by the
snow behind it): global permutation importance, partial dependence with ICE curves for the top
features, perturbation explanations of a few rows, and the primary metric per sensitive group.

:func:`interpret` writes into ``out_dir``:

* ``importance.json``: permutation importance per input column (mean, std), largest first;
* ``pdp_ice_<feature>.png``: partial dependence (+ ICE lines for numeric columns) of the top
  features, in ``plots_dir/pdp_ice/`` (DVC image plots; ``out_dir`` when not given);
* ``importance.csv`` in ``plots_dir``: the importance as a DVC bar plot's data;
* ``importance.png``: the same as a picture (what the CI comment shows inline);
* ``local.json``: per-feature contributions for a few sample rows;
* ``fairness.json``: the metric per group of each sensitive column, largest gap flagged;
* ``interpretation.json``: the summary :func:`interpret` returns.

:func:`what_if` (for ``mlops explain --row ... --set col=value``) lives in :mod:`.local`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_gitops.errors import StageError
from mlops_gitops.fsutil import atomic_write_text
from mlops_gitops.ml.fairness import fairness_report
from mlops_gitops.ml.importance import (
    permutation_importances,
    plot_partial_dependence,
    safe_file_part,
    top_features,
)
from mlops_gitops.ml.local_explanations import explain_row, parse_assignments, what_if
from mlops_gitops.ml.metrics import predict, scorer_for
from mlops_gitops.ml.plot_data import PDP_ICE_DIR
from mlops_gitops.specs.catalogue import METRICS
from mlops_gitops.specs.models import Dataset, Interpretation, Problem

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FAIRNESS_FILE",
    "IMPORTANCE_FILE",
    "IMPORTANCE_IMAGE",
    "LOCAL_FILE",
    "PDP_ICE_DIR",
    "SUMMARY_FILE",
    "interpret",
    "parse_assignments",
    "what_if",
]

IMPORTANCE_FILE = "importance.json"
IMPORTANCE_IMAGE = "importance.png"
LOCAL_FILE = "local.json"
FAIRNESS_FILE = "fairness.json"
SUMMARY_FILE = "interpretation.json"
LOCAL_DRAWS = 30


def interpret(
    model: Any,
    X_test: pd.DataFrame,
    y_test: pd.Series,
    *,
    problem: Problem,
    dataset: Dataset,
    settings: Interpretation,
    out_dir: Path,
    plots_dir: Path | None = None,
    seed: int = 42,
) -> dict[str, Any]:
    """Explain ``model`` on the test rows; write the files listed above; return the summary."""
    from mlops_gitops.ml.plot_data import IMPORTANCE_PLOT, importance_rows, write_csv
    from mlops_gitops.ml.plots import plot_importance

    if not settings.enabled:
        summary: dict[str, Any] = {"enabled": False}
        _write_json(out_dir / SUMMARY_FILE, summary)
        return summary
    if len(X_test) == 0:
        raise StageError("the test split is empty", "raise the dataset's `split.test_size`")
    metric = METRICS.get(problem.metric)
    if metric is None or metric.scorer is None:
        raise StageError(
            f"problem '{problem.name}' has metric '{problem.metric}', which has no scorer",
            "set the problem's `metric` to a predictive metric of the catalogue",
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []

    scorer = scorer_for(metric, y_test)
    importances = permutation_importances(
        model, X_test, y_test, scorer=scorer, repeats=settings.permutation_repeats, seed=seed
    )
    _write_json(
        out_dir / IMPORTANCE_FILE,
        {"metric": metric.name, "repeats": settings.permutation_repeats, "features": importances},
    )

    write_csv((plots_dir or out_dir) / IMPORTANCE_PLOT.file, importance_rows(importances))
    plot_importance(
        importances,
        out_dir / IMPORTANCE_IMAGE,
        metric=metric.name,
        title=f"permutation importance ({settings.permutation_repeats} repeats, test split)",
    )
    images = out_dir if plots_dir is None else plots_dir / PDP_ICE_DIR
    images.mkdir(parents=True, exist_ok=True)
    plots = _partial_dependence(
        model,
        X_test,
        dataset=dataset,
        importances=importances,
        settings=settings,
        out_dir=images,
        seed=seed,
    )

    local = _local(model, X_test, settings.local_examples, seed)
    _write_json(out_dir / LOCAL_FILE, {"draws": LOCAL_DRAWS, "rows": local})

    fairness: dict[str, Any] | None = None
    if settings.fairness and dataset.sensitive_columns:
        present = [c for c in dataset.sensitive_columns if c in X_test.columns]
        absent = [c for c in dataset.sensitive_columns if c not in X_test.columns]
        notes += [f"sensitive column '{c}' is not in the test data" for c in absent]
        if present:
            predictions = predict(problem.task, model, X_test)
            fairness = fairness_report(metric, y_test, predictions, X_test[present])
            _write_json(out_dir / FAIRNESS_FILE, fairness)

    summary = {
        "enabled": True,
        "metric": metric.name,
        "top_features": [row["feature"] for row in importances[: settings.top_features]],
        "importance_file": IMPORTANCE_FILE,
        "importance_image": IMPORTANCE_IMAGE,
        "plots": plots,
        "local_file": LOCAL_FILE,
        "local_rows": len(local),
        "fairness_file": FAIRNESS_FILE if fairness is not None else None,
        "largest_fairness_gap": None if fairness is None else fairness["largest_gap"],
        "notes": notes,
    }
    _write_json(out_dir / SUMMARY_FILE, summary)
    return summary


def _partial_dependence(
    model: Any,
    X: pd.DataFrame,
    *,
    dataset: Dataset,
    importances: list[dict[str, Any]],
    settings: Interpretation,
    out_dir: Path,
    seed: int,
) -> list[dict[str, str]]:
    types = {c.name: c.type for c in dataset.feature_columns}
    usable = {n for n, t in types.items() if t in {"number", "integer", "category", "boolean"}}
    target = None
    classes = list(getattr(model, "classes_", []))
    if len(classes) > 2:  # one class's probability is plotted: the most predicted one
        predicted = model.predict(X)
        target = max(classes, key=lambda c: int((predicted == c).sum()))
    plots = []
    for feature in top_features(importances, usable & set(X.columns), settings.top_features):
        name = f"pdp_ice_{safe_file_part(feature)}.png"
        categorical = types[feature] in {"category", "boolean"}
        kind = plot_partial_dependence(
            model, X, feature, out_dir / name, categorical=categorical, target=target, seed=seed
        )
        plots.append({"feature": feature, "file": name, "kind": kind})
    return plots


def _local(model: Any, X: pd.DataFrame, count: int, seed: int) -> list[dict[str, Any]]:
    import numpy as np

    rng = np.random.default_rng(seed)
    picks = rng.choice(len(X), size=min(max(0, count), len(X)), replace=False)
    columns = [str(c) for c in getattr(model, "feature_names_in_", X.columns)]
    return [
        explain_row(model, X.iloc[[int(i)]][columns], X[columns], draws=LOCAL_DRAWS, seed=seed)
        for i in sorted(picks)
    ]


def _write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")
