"""Write tables into a log folder (local or object storage) as hour-partitioned Parquet files.

:class:`PartitionedWriter` splits a table by the UTC hour of a time column and writes each part
to ``date=YYYY-MM-DD/hour=HH/<replica>-<seq>.parquet`` (see
:mod:`mlops_gitops.requestlog.layout`). Each file is serialised in memory and written in one
atomic step (:meth:`~mlops_gitops.io.storage.Location.write_bytes`): a reader sees it complete
or not at all. The replica id and a per-writer sequence make every name unique, so no write ever
replaces another replica's file.
"""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from mlops_gitops.io.storage import Location
from mlops_gitops.requestlog.layout import file_name, partition, replica_id
from mlops_gitops.requestlog.schema import TIMESTAMP, timestamp_type

__all__ = ["PartitionedWriter", "parquet_bytes"]

_US_PER_HOUR = 3_600_000_000


def parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return bytes(sink.getvalue().to_pybytes())


class PartitionedWriter:
    """Writes tables below ``folder`` as this replica's numbered files, one per hour touched."""

    def __init__(self, folder: Location, *, replica: str | None = None) -> None:
        self.folder = folder
        self.replica = replica or replica_id()
        self._sequence = itertools.count(1)
        self._lock = threading.Lock()  # the feedback route writes from a thread pool

    def write(self, table: pa.Table, time_column: str = TIMESTAMP) -> list[str]:
        """Write ``table`` (rows with a null time go in the hour of now); return the paths."""
        stamps = table.column(time_column).cast(timestamp_type())
        micros = stamps.cast(pa.int64()).fill_null(int(datetime.now(UTC).timestamp() * 1e6))
        hours = np.asarray(micros.to_numpy()) // _US_PER_HOUR
        written = []
        for hour in np.unique(hours):
            part = table if len(np.unique(hours)) == 1 else table.filter(pa.array(hours == hour))
            moment = datetime.fromtimestamp(int(hour) * 3600, UTC)
            with self._lock:
                sequence = next(self._sequence)
            name = f"{partition(moment)}/{file_name(self.replica, sequence)}"
            written.append(self.folder.write_bytes(name, parquet_bytes(part)))
        return written
