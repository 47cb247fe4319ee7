"""Fixtures: generated data with drift planted in known columns, a Dask cluster, and the example
project as a deployment that served a week of requests."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from tests.helpers.drift_data import planted
from tests.helpers.served_example import write_served_example


@pytest.fixture(scope="session")
def small() -> tuple[pa.Table, pa.Table]:
    return planted(600, seed=1)


@pytest.fixture(scope="session")
def large() -> tuple[pa.Table, pa.Table]:
    return planted(30_000, seed=2)


@pytest.fixture(scope="session")
def cluster():
    """A Dask cluster of two worker processes on 127.0.0.1, for the whole session."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        host="127.0.0.1",
    ) as local:
        yield local


@pytest.fixture
def served(example_project: Path) -> Path:
    """The example project with a training split, a model record and a week of requests."""
    return write_served_example(example_project)
