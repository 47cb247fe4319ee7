"""How the served model really did: its logged predictions against late labels, next to its
test-split metrics (``metrics/<experiment>.json``).

Metrics are computed with :func:`mlops_gitops.ml.metrics.compute_metric` on the logged
predictions, so they describe what was served. Metrics that need class probabilities (roc_auc,
log_loss) cannot be computed from logged labels and are left out, with a note.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_gitops.errors import DriftError
from mlops_gitops.labels.joined import LabelledWindow, read_labelled_window
from mlops_gitops.layout import ProjectLayout
from mlops_gitops.requestlog.schema import LABEL, PREDICTION

if TYPE_CHECKING:
    from mlops_gitops.specs.models import Deployment, SpecSet

__all__ = ["LabelledPerformance", "labelled_performance", "measure_labelled", "test_metrics"]

PROBABILITY_METRICS = frozenset({"roc_auc", "log_loss"})


@dataclass(frozen=True)
class LabelledPerformance:
    """Metrics of the logged predictions on ``rows`` labelled requests (of ``requests`` in the
    window) and the same metrics on the test split; ``metric`` is the problem's metric."""

    deployment: str
    experiment: str
    metric: str
    rows: int
    requests: int
    metrics: Mapping[str, float]
    test: Mapping[str, float]
    window_start: str | None = None
    window_end: str | None = None
    notes: tuple[str, ...] = field(default=())

    def headline(self) -> str:
        """``performance on labelled traffic: 40 rows, r2 0.31 vs 0.45 on the test split``."""
        line = f"performance on labelled traffic: {self.rows} rows"
        live, test = self.metrics.get(self.metric), self.test.get(self.metric)
        if live is None:
            return f"{line}, {self.metric} not defined on these rows"
        line += f", {self.metric} {live:.4g}"
        return line + (
            f" vs {test:.4g} on the test split"
            if test is not None
            else " (no test-split metrics: run `dvc repro`)"
        )

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "deployment": self.deployment,
            "experiment": self.experiment,
            "metric": self.metric,
            "rows": self.rows,
            "requests": self.requests,
            "metrics": dict(sorted(self.metrics.items())),
            "test_split": dict(sorted(self.test.items())),
            "headline": self.headline(),
        }
        optional = {
            "window_start": self.window_start,
            "window_end": self.window_end,
            "notes": list(self.notes) or None,
        }
        out.update({k: v for k, v in optional.items() if v is not None})
        return out


def measure_labelled(frame: Any, task: str) -> tuple[dict[str, float], tuple[str, ...]]:
    """Every metric of ``task`` that logged predictions allow, on ``frame``'s ``label`` and
    ``prediction`` columns, and notes on the metrics left out."""
    from mlops_gitops.ml.metrics import (
        CLASSIFICATION_METRICS,
        REGRESSION_METRICS,
        Predictions,
        compute_metric,
    )

    if PREDICTION not in frame.columns:
        raise DriftError(
            "the request log has no 'prediction' column to compare labels with",
            "serve the model with the request log enabled",
        )
    y_true, y_pred = frame[LABEL], frame[PREDICTION]
    if task == "classification" and y_true.dtype != y_pred.dtype:
        y_true, y_pred = y_true.astype(str), y_pred.astype(str)
    names = CLASSIFICATION_METRICS if task == "classification" else REGRESSION_METRICS
    metrics: dict[str, float] = {}
    skipped: list[str] = []
    for name in names:
        if name in PROBABILITY_METRICS:
            continue
        value = compute_metric(name, y_true, Predictions(y_pred.to_numpy()))
        if value is None or math.isnan(value):
            skipped.append(name)
        else:
            metrics[name] = value
    notes = []
    if task == "classification":
        notes.append("roc_auc and log_loss need class probabilities, which the log does not keep")
    if skipped:
        notes.append(f"not defined on {len(frame)} labelled row(s): {', '.join(skipped)}")
    return metrics, tuple(notes)


def test_metrics(root: Path, experiment: str) -> dict[str, float]:
    """The scalar metrics of ``metrics/<experiment>.json`` (empty when it is missing)."""
    path = ProjectLayout(root).metrics_file(experiment)
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        k: float(v)
        for k, v in data.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    }


def labelled_performance(
    root: Path,
    deployment: Deployment,
    specs: SpecSet,
    *,
    start: datetime | None,
    end: datetime,
    current: Path | None = None,
    window: LabelledWindow | None = None,
) -> LabelledPerformance | None:
    """The served model's metrics on the labelled requests of the window; None when no request
    of the window has a label yet. ``window``: an already read labelled window."""
    experiment = specs.experiment_of(deployment)
    if experiment is None:
        return None
    if window is None:
        window = read_labelled_window(root, deployment, start=start, end=end, current=current)
    if window is None or window.rows == 0:
        return None
    problem = specs.problem_of(experiment)
    metrics, notes = measure_labelled(window.frame, problem.task)
    return LabelledPerformance(
        deployment=deployment.name,
        experiment=experiment.name,
        metric=problem.metric,
        rows=window.rows,
        requests=window.requests,
        metrics=metrics,
        test={k: v for k, v in test_metrics(root, experiment.name).items() if k in metrics},
        window_start=start.isoformat() if start and current is None else None,
        window_end=end.isoformat() if current is None else None,
        notes=notes,
    )
