"""Spec objects built in code (no YAML) for tests of the ML code: a dataset typed from a frame,
a problem, an experiment and its candidates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from mlops_gitops.specs.models import (
    Candidate,
    ColumnSchema,
    Compute,
    Dataset,
    DatasetSource,
    Experiment,
    Metadata,
    Preprocessing,
    Problem,
    SearchSettings,
    Source,
)

__all__ = ["candidate", "make_dataset", "make_experiment", "make_problem"]


def make_dataset(
    frame: pd.DataFrame,
    target: str,
    types: Mapping[str, str] | None = None,
    sensitive: tuple[str, ...] = (),
) -> Dataset:
    types = dict(types or {})
    columns = tuple(
        ColumnSchema(name, types.get(name, "number"))  # type: ignore[arg-type]
        for name in frame.columns
    )
    return Dataset(
        Metadata("data"),
        Source("specs/data.yaml"),
        DatasetSource(sklearn="test"),
        target,
        columns,
        sensitive_columns=sensitive,
    )


def make_problem(task: str, target: str, metric: str) -> Problem:
    return Problem(
        Metadata("problem"),
        Source("specs/problem.yaml"),
        "q",
        task,
        target,
        metric,  # type: ignore[arg-type]
    )


def make_experiment(
    *candidates: Candidate,
    strategy: str = "random",
    trials: int = 4,
    folds: int = 3,
    scoring: str | None = None,
    seed: int = 7,
    compute: Compute | None = None,
    preprocessing: Preprocessing | None = None,
    tolerate_failures: bool = False,
) -> Experiment:
    return Experiment(
        Metadata("exp"),
        Source("specs/exp.yaml"),
        "problem",
        "data",
        candidates,
        search=SearchSettings(strategy, trials, folds, scoring, seed, tolerate_failures),  # type: ignore[arg-type]
        preprocessing=preprocessing or Preprocessing(),
        compute=compute or Compute(),
    )


def candidate(name: str, estimator: str, **params: Any) -> Candidate:
    return Candidate(name, estimator, params)
