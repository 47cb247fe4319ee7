"""Global, model-agnostic explanations: permutation importance and partial dependence with ICE.

Both work on the raw input columns of the whole pipeline, so they speak the dataset's language
(``age``, not ``onehot__age_3``), whatever the estimator.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_gitops.ml.plots import new_figure, save_figure

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "permutation_importances",
    "plot_partial_dependence",
    "safe_file_part",
    "top_features",
]

MAX_ROWS = 2000
ICE_LINES = 50


def permutation_importances(
    model: Any,
    X: pd.DataFrame,
    y: pd.Series,
    *,
    scorer: str | None,
    repeats: int,
    seed: int,
) -> list[dict[str, Any]]:
    """Drop in score when each column is shuffled: mean and std over ``repeats``, largest first.

    At most :data:`MAX_ROWS` rows are used (a seeded sample), to keep the stage quick.
    """
    from sklearn.inspection import permutation_importance

    if len(X) > MAX_ROWS:
        X = X.sample(MAX_ROWS, random_state=seed)
        y = y.loc[X.index]
    result = permutation_importance(
        model, X, y, scoring=scorer, n_repeats=max(1, repeats), random_state=seed
    )
    rows = [
        {"feature": str(name), "mean": float(mean), "std": float(std)}
        for name, mean, std in zip(
            X.columns, result.importances_mean, result.importances_std, strict=True
        )
    ]
    return sorted(rows, key=lambda row: (-row["mean"], row["feature"]))


def plot_partial_dependence(
    model: Any,
    X: pd.DataFrame,
    feature: str,
    path: Path,
    *,
    categorical: bool,
    target: Any = None,
    seed: int = 42,
) -> str:
    """Write the partial dependence of ``feature`` (with ICE curves when numeric); return the kind.

    Categorical features get the average only: scikit-learn draws no ICE lines for them.
    """
    from sklearn.inspection import PartialDependenceDisplay

    rows = X[X[feature].notna()]
    kind = "average" if categorical else "both"
    figure = new_figure()
    ax = figure.subplots()
    options: dict[str, Any] = {"kind": kind, "ax": ax, "grid_resolution": 20}
    if categorical:
        options["categorical_features"] = [feature]
    else:
        options.update(subsample=min(ICE_LINES, len(rows)), random_state=seed)
    if target is not None:
        options["target"] = target
    PartialDependenceDisplay.from_estimator(model, rows, [feature], **options)
    figure.suptitle(f"partial dependence{'' if categorical else ' and ICE'}: {feature}")
    save_figure(figure, path)
    return kind


def safe_file_part(name: str) -> str:
    """A column name made safe for a file name (letters, digits, ``_``, ``-``, ``.``)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "column"


def top_features(importances: Sequence[dict[str, Any]], usable: set[str], count: int) -> list[str]:
    """The ``count`` most important columns among ``usable`` ones."""
    return [row["feature"] for row in importances if row["feature"] in usable][: max(0, count)]
