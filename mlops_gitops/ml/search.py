"""AutoML: cross-validate every candidate of an experiment, refit the best on all training rows.

Each candidate is a catalogue estimator behind the schema's preprocessing (:mod:`.preprocess`)
with its parameters split into fixed values and a search space (:mod:`.space`). The strategy
picks the scikit-learn searcher: ``grid`` -> GridSearchCV, ``random`` -> RandomizedSearchCV,
``halving`` -> HalvingRandomSearchCV; a candidate with nothing to search is cross-validated
once. Every searcher gets the same folds (StratifiedKFold for classification, KFold otherwise,
shuffled with the experiment's seed), and no searcher refits: only the winner across candidates
is fitted on the whole training set, once.

Scores are reported in the metric's natural units (``rmse`` positive, not scikit-learn's
``neg_root_mean_squared_error``) and ranked by the metric's direction.
"""

from __future__ import annotations

import math
import os
import time
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from mlops_gitops.errors import StageError
from mlops_gitops.ml.leaderboard import write_leaderboard
from mlops_gitops.ml.metrics import scorer_for
from mlops_gitops.ml.preprocess import MODEL_STEP, build_pipeline, make_estimator, plan_columns
from mlops_gitops.ml.progress import log, reporter
from mlops_gitops.ml.space import CandidateSpace, candidate_space, space_size
from mlops_gitops.specs.catalogue import METRICS, MetricInfo
from mlops_gitops.specs.models import (
    Candidate,
    ColumnSchema,
    Compute,
    Dataset,
    Experiment,
    Problem,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "LeaderboardRow",
    "SearchResult",
    "resolve_metric",
    "run_search",
    "write_leaderboard",
]

MAX_WARNINGS_PER_CANDIDATE = 5


@dataclass(frozen=True)
class LeaderboardRow:
    """The best configuration of one candidate. ``cv_mean``/``cv_std`` are in natural units."""

    rank: int
    candidate: str
    estimator: str
    cv_mean: float
    cv_std: float
    fit_time_s: float
    """Mean time to fit the best configuration on one fold."""
    params: Mapping[str, Any]
    """Every parameter set on the estimator: fixed ones and the best searched ones."""
    trials: int
    """Configurations cross-validated."""
    warnings: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        return math.isnan(self.cv_mean)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "candidate": self.candidate,
            "estimator": self.estimator,
            "cv_mean": None if self.failed else self.cv_mean,
            "cv_std": None if math.isnan(self.cv_std) else self.cv_std,
            "fit_time_s": self.fit_time_s,
            "params": {k: _plain(v) for k, v in sorted(self.params.items())},
            "trials": self.trials,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class SearchResult:
    """The winner (refitted on all training rows) and how every candidate scored."""

    best_model: Any
    best_candidate: str
    best_estimator: str
    best_params: Mapping[str, Any]
    metric: str
    greater_is_better: bool
    strategy: str
    cv_folds: int
    seed: int
    leaderboard: tuple[LeaderboardRow, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def best(self) -> LeaderboardRow:
        return self.leaderboard[0]

    def to_dict(self) -> dict[str, Any]:
        """Everything but the model, JSON-ready (what ``leaderboard.json`` holds)."""
        return {
            "best_candidate": self.best_candidate,
            "best_estimator": self.best_estimator,
            "best_params": {k: _plain(v) for k, v in sorted(self.best_params.items())},
            "metric": self.metric,
            "greater_is_better": self.greater_is_better,
            "strategy": self.strategy,
            "cv_folds": self.cv_folds,
            "seed": self.seed,
            "leaderboard": [row.to_dict() for row in self.leaderboard],
            "notes": list(self.notes),
        }


def _plain(value: Any) -> Any:
    """numpy scalars -> Python scalars, so params serialise to JSON and compare across runs."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def resolve_metric(experiment: Experiment, problem: Problem) -> MetricInfo:
    """The metric the search optimises: ``search.scoring``, else the problem's metric."""
    name = experiment.search.scoring or problem.metric
    info = METRICS.get(name)
    if info is None or info.scorer is None or info.task != problem.task:
        allowed = sorted(m.name for m in METRICS.values() if m.task == problem.task and m.scorer)
        raise StageError(
            f"experiment '{experiment.name}' scores by '{name}', which is not a {problem.task} "
            f"metric; allowed: {', '.join(allowed)}",
            "set `search.scoring` (or the problem's `metric`) to one of the allowed metrics",
        )
    return info


def run_search(
    experiment: Experiment,
    problem: Problem,
    dataset: Dataset,
    X: pd.DataFrame,
    y: pd.Series,
    *,
    progress: bool | None = None,
) -> SearchResult:
    """Cross-validate each candidate, rank them, and refit the best on all of ``X``.

    Raises :class:`StageError` when the data cannot be cross-validated as configured, or when
    every candidate failed.
    """
    if not experiment.candidates:
        raise StageError(
            f"experiment '{experiment.name}' has no candidates",
            "add at least one entry under `candidates`",
        )
    metric = resolve_metric(experiment, problem)
    features = dataset.feature_columns
    _check_data(experiment, problem, X, y, [c.name for c in features])
    settings = experiment.search
    notes = list(plan_columns(features).notes)

    rows: list[LeaderboardRow] = []
    title = f"search {experiment.name} ({settings.strategy}, {metric.name})"
    with (
        reporter(len(experiment.candidates), progress=progress, title=title) as report,
        _backend(experiment.compute) as n_jobs,
    ):
        cv = _folds(problem, settings.cv_folds, settings.seed)
        work = _Work(experiment, problem, features, X, y, cv, metric, n_jobs)
        for candidate in experiment.candidates:
            report.start(f"{candidate.name} ({candidate.estimator})")
            started = time.perf_counter()
            row = _run_candidate(candidate, work)
            rows.append(row)
            report.done(_describe(row, metric, time.perf_counter() - started))

    leaderboard = _rank(rows, metric)
    best = leaderboard[0]
    if best.failed:
        details = "; ".join(f"{r.candidate}: {' / '.join(r.warnings) or 'no score'}" for r in rows)
        raise StageError(
            f"every candidate of experiment '{experiment.name}' failed to fit: {details}",
            "fix the candidates' parameters (see the errors above) and run `dvc repro` again",
        )
    failed = [r for r in rows if r.failed]
    if failed and not settings.tolerate_failures:
        details = "; ".join(
            f"{r.candidate}: {' / '.join(r.warnings) or 'no score'}" for r in failed
        )
        raise StageError(
            f"{len(failed)} of {len(rows)} candidates of experiment '{experiment.name}' failed "
            f"to fit: {details}",
            "fix their parameters, or set search.tolerateFailures: true to keep the best of "
            "the others",
        )
    model, refit_warnings = _refit(best, work)
    notes.extend(f"refit of {best.candidate}: {w}" for w in refit_warnings)
    return SearchResult(
        best_model=model,
        best_candidate=best.candidate,
        best_estimator=best.estimator,
        best_params=best.params,
        metric=metric.name,
        greater_is_better=metric.greater_is_better,
        strategy=settings.strategy,
        cv_folds=settings.cv_folds,
        seed=settings.seed,
        leaderboard=leaderboard,
        notes=tuple(notes),
    )


def _check_data(
    experiment: Experiment,
    problem: Problem,
    X: pd.DataFrame,
    y: pd.Series,
    features: list[str],
) -> None:
    missing = [name for name in features if name not in X.columns]
    if missing:
        raise StageError(
            f"training data lacks the dataset's feature column(s): {', '.join(missing)}",
            "check the dataset's `columns` against the data, then run `dvc repro`",
        )
    if len(X) != len(y):
        raise StageError(
            f"training data has {len(X)} rows but {len(y)} target values",
            "pass the features and target of the same split",
        )
    if y.isna().any():
        raise StageError(
            f"the target has {int(y.isna().sum())} missing value(s)",
            "drop rows without a target in the dataset, or fill them, then run `dvc repro`",
        )
    folds = experiment.search.cv_folds
    if len(y) < folds:
        raise StageError(
            f"{len(y)} training rows cannot be split into {folds} folds",
            "lower `search.cv_folds` or add data",
        )
    if problem.task == "classification":
        counts = y.value_counts()
        if len(counts) < 2:
            raise StageError(
                f"the target has a single class ({_plain(counts.index[0])!r}); "
                "classification needs two",
                "check the dataset's target column",
            )
        if int(counts.min()) < folds:
            raise StageError(
                f"class {_plain(counts.idxmin())!r} has {int(counts.min())} training row(s), "
                f"fewer than the {folds} cross-validation folds",
                "lower `search.cv_folds`, or add rows of that class",
            )


def _folds(problem: Problem, folds: int, seed: int) -> Any:
    from sklearn.model_selection import KFold, StratifiedKFold

    if problem.task == "classification":
        return StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return KFold(n_splits=folds, shuffle=True, random_state=seed)


@contextmanager
def _backend(compute: Compute) -> Iterator[int | None]:
    """Run joblib work locally, or on a dask cluster; yields the searchers' ``n_jobs``."""
    if compute.backend != "dask":
        yield min(compute.n_jobs, os.cpu_count() or 1)  # never more workers than cores
        return
    if not compute.scheduler:
        raise StageError(
            "compute.backend is 'dask' but compute.scheduler is not set",
            "set `compute.scheduler` to the scheduler address, e.g. tcp://10.0.0.5:8786",
        )
    from distributed import Client
    from joblib import parallel_backend

    try:
        # distributed's Client is untyped
        client = Client(  # type: ignore[no-untyped-call]
            compute.scheduler, timeout=30, set_as_default=False
        )
    except (OSError, TimeoutError) as exc:
        raise StageError(
            f"cannot reach the dask scheduler at {compute.scheduler}: {exc}",
            "start the scheduler (`dask scheduler`) or fix `compute.scheduler`",
        ) from exc
    try:
        with parallel_backend("dask", client=client):
            yield compute.n_jobs if compute.n_jobs > 1 else -1
    finally:
        client.close()  # type: ignore[no-untyped-call]  # distributed is untyped


@dataclass(frozen=True)
class _Work:
    """What every candidate of one search shares."""

    experiment: Experiment
    problem: Problem
    features: tuple[ColumnSchema, ...]
    X: pd.DataFrame
    y: pd.Series
    cv: Any
    metric: MetricInfo
    n_jobs: int | None

    @property
    def scorer(self) -> str | None:
        return scorer_for(self.metric, self.y)


def _run_candidate(candidate: Candidate, work: _Work) -> LeaderboardRow:
    experiment, metric = work.experiment, work.metric
    settings = experiment.search
    space = candidate_space(candidate, settings.strategy)
    estimator = make_estimator(candidate.estimator, work.problem.task, space.fixed, settings.seed)
    pipeline = build_pipeline(work.features, experiment.preprocessing, estimator)
    fixed = dict(space.fixed)
    if "random_state" in estimator.get_params(deep=False):
        fixed.setdefault("random_state", settings.seed)
    failure: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if space.is_search:
                searcher = _search(pipeline, space, work).fit(work.X, work.y)
                mean, std, fit_time, best, trials = _search_scores(searcher)
            else:
                mean, std, fit_time, best, trials = _cross_validate(pipeline, work)
        except ValueError as exc:
            if "fits failed" not in str(exc):  # scikit-learn's "All the N fits failed."
                raise
            failure.append(_fits_failed(str(exc)))
            mean, std, fit_time, best, trials = math.nan, math.nan, 0.0, {}, 0
    sign = 1.0 if metric.scorer and not metric.scorer.startswith("neg_") else -1.0
    return LeaderboardRow(
        rank=0,
        candidate=candidate.name,
        estimator=candidate.estimator,
        cv_mean=sign * mean if not math.isnan(mean) else math.nan,
        cv_std=std,
        fit_time_s=fit_time,
        params={**fixed, **best},
        trials=trials,
        warnings=tuple(failure) + _warning_lines(caught),
    )


def _fits_failed(message: str) -> str:
    """scikit-learn's "All the N fits failed" message, cut to its first and last lines."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    return f"{lines[0]} {lines[-1]}" if lines else "all fits failed"


def _search(pipeline: Any, space: CandidateSpace, work: _Work) -> Any:
    """The unfitted scikit-learn searcher for ``space`` under the experiment's strategy."""
    settings = work.experiment.search
    grid = {f"{MODEL_STEP}__{name}": values for name, values in space.space.items()}
    common: dict[str, Any] = {
        "scoring": work.scorer,
        "cv": work.cv,
        "n_jobs": work.n_jobs,
        "refit": False,
        "error_score": math.nan,
    }
    if settings.strategy == "grid":
        from sklearn.model_selection import GridSearchCV

        return GridSearchCV(pipeline, grid, **common)
    if settings.strategy == "halving":
        from sklearn.experimental import enable_halving_search_cv  # noqa: F401
        from sklearn.model_selection import HalvingRandomSearchCV

        return HalvingRandomSearchCV(
            pipeline,
            grid,
            n_candidates=_n_iter(settings.trials, space),
            min_resources="exhaust",  # the last round sees (nearly) all rows: scores compare
            random_state=settings.seed,
            return_train_score=False,
            **common,
        )
    from sklearn.model_selection import RandomizedSearchCV

    return RandomizedSearchCV(
        pipeline,
        grid,
        n_iter=_n_iter(settings.trials, space),
        random_state=settings.seed,
        **common,
    )


def _n_iter(trials: int, space: CandidateSpace) -> int:
    """``trials``, capped at the number of configurations when every choice is discrete."""
    size = space_size(space.space)
    return trials if size is None else min(trials, size)


def _search_scores(search: Any) -> tuple[float, float, float, dict[str, Any], int]:
    results = search.cv_results_
    index = int(search.best_index_)
    best = {
        name.removeprefix(f"{MODEL_STEP}__"): _plain(value)
        for name, value in search.best_params_.items()
    }
    return (
        float(results["mean_test_score"][index]),
        float(results["std_test_score"][index]),
        float(results["mean_fit_time"][index]),
        best,
        len(results["params"]),
    )


def _cross_validate(pipeline: Any, work: _Work) -> tuple[float, float, float, dict[str, Any], int]:
    import numpy as np
    from sklearn.model_selection import cross_validate

    out = cross_validate(
        pipeline,
        work.X,
        work.y,
        cv=work.cv,
        scoring=work.scorer,
        n_jobs=work.n_jobs,
        error_score=math.nan,
    )
    scores = np.asarray(out["test_score"], dtype=float)
    failed = bool(np.isnan(scores).any())
    mean = math.nan if failed else float(scores.mean())
    std = math.nan if failed else float(scores.std())
    return mean, std, float(np.mean(out["fit_time"])), {}, 1


def _warning_lines(caught: list[warnings.WarningMessage]) -> tuple[str, ...]:
    lines: list[str] = []
    for item in caught:
        message = str(item.message).strip()
        if "Traceback" in message:  # fit/score failures embed a traceback: keep its ends
            first, *_, last = message.splitlines()
            message = f"{first} {last}"
        text = " ".join(message.split())
        line = f"{item.category.__name__}: {text[:300]}"
        if line not in lines:
            lines.append(line)
    for line in lines[:MAX_WARNINGS_PER_CANDIDATE]:
        log.warning(line)
    return tuple(lines[:MAX_WARNINGS_PER_CANDIDATE])


def _rank(rows: list[LeaderboardRow], metric: MetricInfo) -> tuple[LeaderboardRow, ...]:
    """Best first by ``cv_mean`` in the metric's direction; failed candidates last; stable."""

    def key(row: LeaderboardRow) -> tuple[int, float]:
        if row.failed:
            return (1, 0.0)
        return (0, -row.cv_mean if metric.greater_is_better else row.cv_mean)

    ordered = sorted(rows, key=key)
    return tuple(_with_rank(row, i + 1) for i, row in enumerate(ordered))


def _with_rank(row: LeaderboardRow, rank: int) -> LeaderboardRow:
    return replace(row, rank=rank)


def _refit(best: LeaderboardRow, work: _Work) -> tuple[Any, tuple[str, ...]]:
    """The best candidate's pipeline, with its best parameters, fitted on all of ``X``."""
    seed = work.experiment.search.seed
    estimator = make_estimator(best.estimator, work.problem.task, best.params, seed)
    pipeline = build_pipeline(work.features, work.experiment.preprocessing, estimator)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pipeline.fit(work.X, work.y)
    return pipeline, _warning_lines(caught)


def _describe(row: LeaderboardRow, metric: MetricInfo, seconds: float) -> str:
    score = "failed" if row.failed else f"{metric.name} {row.cv_mean:.4g} ± {row.cv_std:.2g}"
    return f"{row.candidate} ({row.estimator}): {score}, {row.trials} config(s), {seconds:.1f} s"
