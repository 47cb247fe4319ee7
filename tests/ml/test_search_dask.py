from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from mlops_gitops.errors import StageError
from mlops_gitops.ml.search import run_search
from mlops_gitops.specs.models import Compute, Range
from tests.helpers.spec_objects import candidate, make_dataset, make_experiment, make_problem


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """An in-process cluster. Two threads: on a single-thread cluster joblib's dask backend
    computes ``effective_n_jobs == 1`` and runs everything in the caller, never on dask."""
    from distributed import LocalCluster

    local = LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0")
    try:
        yield local
    finally:
        local.close()


def leaderboard(frame: pd.DataFrame, compute: Compute) -> list[tuple[object, ...]]:
    experiment = make_experiment(
        candidate("ridge", "ridge", alpha=Range(0.01, 10.0, log=True)),
        candidate("tree", "decision_tree", max_depth=(2, 3, 4)),
        candidate("mean", "dummy"),
        trials=3,
        compute=compute,
    )
    result = run_search(
        experiment,
        make_problem("regression", "target", "rmse"),
        make_dataset(frame, "target"),
        frame.drop(columns="target"),
        frame["target"],
        progress=False,
    )
    return [
        (r.rank, r.candidate, r.cv_mean, r.cv_std, dict(r.params), r.trials)
        for r in result.leaderboard
    ]


def test_dask_backend_gives_the_local_leaderboard(diabetes: pd.DataFrame, cluster: Any) -> None:
    local = leaderboard(diabetes, Compute())
    assert not any("fit_and_score" in name for name in cluster.scheduler.task_prefixes)
    on_dask = leaderboard(diabetes, Compute(backend="dask", scheduler=cluster.scheduler_address))
    assert any("fit_and_score" in name for name in cluster.scheduler.task_prefixes)
    assert on_dask == local


def test_dask_without_scheduler_says_what_to_set(diabetes: pd.DataFrame) -> None:
    with pytest.raises(StageError, match=r"compute\.scheduler is not set"):
        leaderboard(diabetes, Compute(backend="dask"))
