"""PNG plots of a model's behaviour, drawn with matplotlib's object API (no pyplot, no display).

Each function renders into memory and writes the file atomically.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mlops_gitops.fsutil import atomic_write_bytes

__all__ = [
    "new_figure",
    "plot_confusion_matrix",
    "plot_importance",
    "plot_predicted_vs_actual",
    "save_figure",
]

IMPORTANCE_BARS = 15


def new_figure(width: float = 6.0, height: float = 4.5) -> Any:
    """A matplotlib Figure that is not registered with pyplot (safe in threads and headless)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def save_figure(figure: Any, path: Path) -> Path:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    atomic_write_bytes(path, buffer.getvalue())
    return path


def plot_confusion_matrix(
    matrix: Sequence[Sequence[int]], labels: Sequence[Any], path: Path, *, title: str = ""
) -> Path:
    """Counts per (true, predicted) class, as a heat map with the numbers written in."""
    import numpy as np

    counts = np.asarray(matrix, dtype=float)
    figure = new_figure(1.2 + 0.6 * len(labels) + 3, 1.2 + 0.6 * len(labels) + 2)
    ax = figure.subplots()
    image = ax.imshow(counts, cmap="Blues")
    figure.colorbar(image, ax=ax)
    names = [str(label) for label in labels]
    ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title or "confusion matrix")
    threshold = counts.max() / 2 if counts.size else 0
    for (row, col), value in np.ndenumerate(counts):
        colour = "white" if value > threshold else "black"
        ax.text(col, row, f"{int(value)}", ha="center", va="center", color=colour)
    return save_figure(figure, path)


def plot_predicted_vs_actual(y_true: Any, y_pred: Any, path: Path, *, title: str = "") -> Path:
    """Predicted against actual values, with the line where they are equal."""
    import numpy as np

    actual = np.asarray(y_true, dtype=float)
    predicted = np.asarray(y_pred, dtype=float)
    figure = new_figure()
    ax = figure.subplots()
    ax.scatter(actual, predicted, s=12, alpha=0.6)
    if actual.size:
        low = float(min(actual.min(), predicted.min()))
        high = float(max(actual.max(), predicted.max()))
        ax.plot([low, high], [low, high], color="grey", linestyle="--", linewidth=1)
    ax.set_xlabel("actual")
    ax.set_ylabel("predicted")
    ax.set_title(title or "predicted vs actual")
    return save_figure(figure, path)


def plot_importance(
    importances: Sequence[dict[str, Any]], path: Path, *, metric: str, title: str = ""
) -> Path:
    """Permutation importance (``feature``, ``mean``, ``std`` rows, largest first) as
    horizontal bars with the spread over repeats, the largest :data:`IMPORTANCE_BARS` on top."""
    rows = list(importances)[:IMPORTANCE_BARS][::-1]
    figure = new_figure(6.5, 1.4 + 0.32 * max(1, len(rows)))
    ax = figure.subplots()
    ax.barh(
        [str(r["feature"]) for r in rows],
        [float(r["mean"]) for r in rows],
        xerr=[float(r["std"]) for r in rows],
        color="tab:blue",
        ecolor="grey",
    )
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_xlabel(f"drop in {metric} when the column is shuffled")
    ax.set_ylabel("feature")
    ax.set_title(title or "permutation importance")
    return save_figure(figure, path)
