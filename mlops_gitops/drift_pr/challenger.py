"""Champion against challenger: retrain on the training split plus labelled traffic, then score
both models on rows neither was trained on.

The labelled rows are split with the dataset's ``split`` settings: the challenger trains on the
training split plus the labelled training part (the experiment's own search, :func:`run_search`);
both models are scored on the test split and on the labelled hold-out, and timed with
:func:`measure_processing` as the ``performance`` stage does. The challenger is written to a
scratch folder only: merging the pull request retrains through ``dvc repro``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_gitops.drift_pr.dataset_version import labelled_as_dataset
from mlops_gitops.layout import ProjectLayout

if TYPE_CHECKING:
    from mlops_gitops.specs.models import Experiment, SpecSet

__all__ = ["MIN_HOLDOUT_ROWS", "Comparison", "ModelScore", "compare_challenger", "render_table"]

MIN_HOLDOUT_ROWS = 10
"""Fewer labelled rows than this all go to training: a hold-out of a handful says nothing."""
PROCESSING = (
    ("p50_latency_ms", "p50 latency (ms)"),
    ("p99_latency_ms", "p99 latency (ms)"),
    ("throughput_rows_per_s", "throughput (rows/s)"),
    ("model_size_mb", "model size (MB)"),
)


@dataclass(frozen=True)
class ModelScore:
    """One model's metrics on the test split and on the labelled hold-out, and its timings."""

    label: str  # "ridge (ridge)": candidate (estimator)
    test: Mapping[str, float]
    holdout: Mapping[str, float]
    processing: Mapping[str, float]


@dataclass(frozen=True)
class Comparison:
    metric: str
    greater_is_better: bool
    champion: ModelScore
    challenger: ModelScore
    train_rows: int
    labelled_train_rows: int
    test_rows: int
    holdout_rows: int

    @property
    def challenger_wins(self) -> bool:
        """The challenger's metric on the test split beats the champion's (strictly)."""
        new, old = self.challenger.test.get(self.metric), self.champion.test.get(self.metric)
        if new is None or old is None:
            return False
        return new > old if self.greater_is_better else new < old


def compare_challenger(
    root: Path, experiment: Experiment, specs: SpecSet, labelled: Any, scratch: Path
) -> Comparison:
    """Train a challenger on ``train.parquet`` plus ``labelled`` rows and score it against the
    model in ``models/<experiment>`` (``scratch``: a folder for the challenger's files)."""
    import pandas as pd

    from mlops_gitops.ml.artifact import load_model, save_model
    from mlops_gitops.ml.search import run_search
    from mlops_gitops.specs.catalogue import METRICS
    from mlops_gitops.stages.context import load_frame

    problem, dataset = specs.problem_of(experiment), specs.dataset_of(experiment)
    layout = ProjectLayout(root)
    champion_dir = layout.model_dir(experiment.name)
    champion, info = load_model(champion_dir)
    names = [f.name for f in info.features]
    train = load_frame(layout.train_split(dataset.name))
    test = load_frame(layout.test_split(dataset.name))
    rows = labelled_as_dataset(labelled, dataset)
    labelled_train, holdout = _split(rows, dataset.split.test_size, dataset.split.seed)
    combined = pd.concat([train, labelled_train], ignore_index=True)
    result = run_search(
        experiment, problem, dataset, combined[names], combined[dataset.target], progress=False
    )
    challenger_dir = scratch / "challenger"
    save_model(
        result.best_model,
        challenger_dir,
        dataclasses.replace(
            info,
            estimator=result.best_estimator,
            candidate=result.best_candidate,
            params={k: _plain(v) for k, v in result.best_params.items()},
        ),
    )

    def score(model: Any, model_dir: Path, label: str) -> ModelScore:
        return ModelScore(
            label=label,
            test=_metrics(problem.task, model, test[names], test[dataset.target]),
            holdout=_metrics(problem.task, model, holdout[names], holdout[dataset.target]),
            processing=_processing(model_dir, test[names]),
        )

    metric = METRICS[problem.metric]
    return Comparison(
        metric=problem.metric,
        greater_is_better=metric.greater_is_better,
        champion=score(champion, champion_dir, f"{info.candidate} ({info.estimator})"),
        challenger=score(
            result.best_model, challenger_dir, f"{result.best_candidate} ({result.best_estimator})"
        ),
        train_rows=len(combined),
        labelled_train_rows=len(labelled_train),
        test_rows=len(test),
        holdout_rows=len(holdout),
    )


def _split(rows: Any, test_size: float, seed: int) -> tuple[Any, Any]:
    if len(rows) < MIN_HOLDOUT_ROWS:
        return rows, rows.iloc[:0]
    from sklearn.model_selection import train_test_split

    train, holdout = train_test_split(rows, test_size=test_size, random_state=seed)
    return train, holdout


def _metrics(task: Any, model: Any, X: Any, y: Any) -> dict[str, float]:
    from mlops_gitops.ml.metrics import evaluate_model

    return dict(evaluate_model(task, model, X, y)["metrics"]) if len(y) else {}


def _processing(model_dir: Path, X: Any) -> dict[str, float]:
    from mlops_gitops.ml.performance import measure_processing

    measured = measure_processing(model_dir, X, single_rows=100, batch_size=500, time_budget_s=1.0)
    return {key: float(measured[key]) for key, _ in PROCESSING}


def _plain(value: Any) -> Any:
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def render_table(comparison: Comparison) -> str:
    """The champion/challenger Markdown table: metrics on each evaluation set, then timings."""
    champion, challenger = comparison.champion, comparison.challenger
    lines = [
        f"| | champion: {champion.label} | challenger: {challenger.label} |",
        "|---|---|---|",
    ]
    metrics = sorted(champion.test, key=lambda n: (n != comparison.metric, n))
    for where, rows, attr in (
        ("test split", comparison.test_rows, "test"),
        ("labelled hold-out", comparison.holdout_rows, "holdout"),
    ):
        if not rows:
            continue
        for name in metrics:
            old = getattr(champion, attr).get(name)
            new = getattr(challenger, attr).get(name)
            title = f"**{name}**" if name == comparison.metric else name
            lines.append(f"| {title} on {where} ({rows} rows) | {_cell(old)} | {_cell(new)} |")
    lines += [
        f"| {title} | {_cell(champion.processing.get(key))} | "
        f"{_cell(challenger.processing.get(key))} |"
        for key, title in PROCESSING
    ]
    return "\n".join(lines) + "\n"
