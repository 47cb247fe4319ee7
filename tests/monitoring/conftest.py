"""Generated data with drift planted in known columns."""

from __future__ import annotations

import pyarrow as pa
import pytest

from tests.helpers.drift_data import planted


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
