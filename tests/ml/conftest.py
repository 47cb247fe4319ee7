"""Small real data and spec builders for the ML tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest

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


@pytest.fixture(scope="session")
def diabetes() -> pd.DataFrame:
    from sklearn.datasets import load_diabetes

    return load_diabetes(as_frame=True).frame


@pytest.fixture(scope="session")
def cancer() -> pd.DataFrame:
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame
    return frame[[*frame.columns[:8], "target"]]


@pytest.fixture(scope="session")
def planted() -> pd.DataFrame:
    """Binary target decided by ``signal``; ``noise`` is pure noise; ``group`` is a category."""
    rng = np.random.default_rng(0)
    n = 400
    signal = rng.normal(size=n)
    return pd.DataFrame(
        {
            "signal": signal,
            "noise": rng.normal(size=n),
            "group": rng.choice(["a", "b"], size=n),
            "target": (signal > 0).astype(int),
        }
    )
