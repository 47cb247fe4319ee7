"""The request log: what the model saw and said, for drift detection and for joining late labels.

A request hands :meth:`RequestLogWriter.submit` one small tuple (id, time, checked columns,
predictions); ``submit`` never blocks: when the bounded queue is full the records are dropped and
counted. A background thread collects records and writes a Parquet file (see
:mod:`mlops_gitops.requestlog.files`) when ``max_rows_per_file`` rows are buffered or the
oldest is ``max_seconds_per_file`` old (1 s by default, so served rows reach a drift check within
about 2 s), and on close. A failing disk or store only costs records (counted as
``write_error``), never a request. ``buffered`` counts the rows accepted but not yet written: what
a SIGKILL would lose (``mlops_request_log_buffered_records`` on ``/metrics``).

The log is a folder, local or in object storage (:mod:`mlops_gitops.requestlog.layout`); each
row of ``<log>/date=YYYY-MM-DD/hour=HH/<replica>-<seq>.parquet`` is one predicted row, with
exactly the columns of :func:`mlops_gitops.requestlog.schema.served_schema`.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pyarrow as pa

from mlops_gitops.io.storage import Location, location
from mlops_gitops.ml.artifact import FeatureInfo
from mlops_gitops.requestlog.files import PartitionedWriter
from mlops_gitops.requestlog.schema import LOG_COLUMNS, PREDICTION, served_schema, timestamp_type
from mlops_gitops.serving.validation import Columns, feature_kind

__all__ = [
    "ParquetSink",
    "RequestLogSettings",
    "RequestLogWriter",
    "Sink",
    "arrow_type_of",
    "request_log_schema",
]

logger = logging.getLogger(__name__)

_KIND_TYPES = {
    "number": pa.float64(),
    "integer": pa.int64(),
    "boolean": pa.bool_(),
    "int-category": pa.int64(),
    "string": pa.string(),
}
TIMESTAMP = timestamp_type()
DRAIN_INTERVAL_S = 0.25
TABLE_CHUNK_ROWS = 2_000


@dataclass(frozen=True)
class RequestLogSettings:
    """Where and how the request log is written. ``queue_size`` counts requests, not rows.
    ``folder``: the log's location (a path or URI is turned into one)."""

    folder: Location
    queue_size: int = 10_000
    max_rows_per_file: int = 100_000
    max_seconds_per_file: float = 1.0
    close_timeout_seconds: float = 10.0

    def __post_init__(self) -> None:
        if isinstance(self.folder, str | Path):
            object.__setattr__(self, "folder", location(self.folder))


class Sink(Protocol):
    def write(self, table: pa.Table) -> None: ...


class ParquetSink:
    """Writes each table as this replica's next file(s) in the log folder."""

    def __init__(self, folder: Location | Path | str) -> None:
        self.writer = PartitionedWriter(
            folder if isinstance(folder, Location) else location(folder)
        )

    def write(self, table: pa.Table) -> None:
        self.writer.write(table)


def arrow_type_of(values: np.ndarray[Any, Any]) -> pa.DataType:
    kind = values.dtype.kind
    if kind == "f":
        return pa.float64()
    if kind in "iu":
        return pa.int64()
    if kind == "b":
        return pa.bool_()
    return pa.string()


def request_log_schema(
    features: tuple[FeatureInfo, ...], prediction_type: pa.DataType
) -> pa.Schema:
    return served_schema(
        [(f.name, _KIND_TYPES[feature_kind(f)]) for f in features], prediction_type
    )


_Record = tuple[str, int, int, Columns, np.ndarray[Any, Any]]
_STOP: Any = object()


class RequestLogWriter:
    def __init__(
        self,
        settings: RequestLogSettings,
        *,
        features: tuple[FeatureInfo, ...],
        model_version: str,
        prediction_type: pa.DataType,
        sink: Sink | None = None,
    ) -> None:
        self.settings = settings
        self.schema = request_log_schema(features, prediction_type)
        self.model_version = model_version
        self.sink: Sink = sink if sink is not None else ParquetSink(settings.folder)
        self._names = [f.name for f in features]
        self._queue: queue.Queue[_Record] = queue.Queue(maxsize=settings.queue_size)
        self._thread: threading.Thread | None = None
        self.dropped_queue_full = 0  # written by the request thread only
        self.accepted = 0  # rows queued, written by the request thread only
        self.dropped_write_error = 0  # written by the writer thread only
        self.written = 0
        self._last_warning = 0.0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="mlops-request-log", daemon=True)
            self._thread.start()

    def submit(
        self,
        request_id: str,
        timestamp_us: int,
        columns: Columns,
        predictions: np.ndarray[Any, Any],
    ) -> bool:
        """Queue one request's rows; drop and count them when the queue is full."""
        try:
            self._queue.put_nowait(
                (request_id, timestamp_us, len(predictions), columns, predictions)
            )
        except queue.Full:
            self.dropped_queue_full += len(predictions)
            return False
        self.accepted += len(predictions)
        return True

    @property
    def buffered(self) -> int:
        """Rows accepted and not yet written or dropped: what a SIGKILL now would lose."""
        return max(0, self.accepted - self.written - self.dropped_write_error)

    def close(self) -> None:
        """Write what is queued and stop, waiting at most ``close_timeout_seconds``."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        timeout = self.settings.close_timeout_seconds
        try:
            self._queue.put(_STOP, timeout=timeout)
        except queue.Full:
            logger.warning("request log: the writer did not drain its queue in %ss", timeout)
        thread.join(timeout)
        if thread.is_alive():
            logger.warning("request log: the writer did not finish in %ss; records lost", timeout)

    def _drain(self) -> list[Any]:
        """Everything queued now, without waiting."""
        records = []
        while True:
            try:
                records.append(self._queue.get_nowait())
            except queue.Empty:
                return records

    def _run(self) -> None:
        # The writer wakes every DRAIN_INTERVAL_S and takes what is queued in one go, instead of
        # waking for each request: a thread woken per request competes for the GIL with the
        # request path and shows up in its p99.
        buffer: list[_Record] = []
        rows = 0
        started = 0.0
        max_age = self.settings.max_seconds_per_file
        while True:
            time.sleep(DRAIN_INTERVAL_S)
            for record in self._drain():
                if record is _STOP:
                    self._flush(buffer, rows)
                    return
                if not buffer:
                    started = time.monotonic()
                buffer.append(record)
                rows += record[2]
                if rows >= self.settings.max_rows_per_file:  # a file holds at most that many
                    self._flush(buffer, rows)
                    buffer, rows = [], 0
            if buffer and time.monotonic() - started >= max_age:
                self._flush(buffer, rows)
                buffer, rows = [], 0

    def _flush(self, buffer: list[_Record], rows: int) -> None:
        if not buffer:
            return
        try:
            self.sink.write(self._chunked_table(buffer))
        except Exception as error:  # a full or broken disk must never stop serving
            self.dropped_write_error += rows
            now = time.monotonic()
            if now - self._last_warning > 60:
                self._last_warning = now
                logger.warning("request log: could not write %d record(s): %s", rows, error)
            return
        self.written += rows

    def _chunked_table(self, buffer: list[_Record]) -> pa.Table:
        """The buffer as one table, built a few thousand rows at a time with a pause between:
        building holds the GIL, and one long stretch of it would stall requests (p99)."""
        tables = []
        chunk: list[_Record] = []
        rows = 0
        for record in buffer:
            chunk.append(record)
            rows += record[2]
            if rows >= TABLE_CHUNK_ROWS:
                tables.append(self._table(chunk))
                chunk, rows = [], 0
                time.sleep(0)  # let the request path run
        if chunk:
            tables.append(self._table(chunk))
        return tables[0] if len(tables) == 1 else pa.concat_tables(tables)

    def _table(self, buffer: list[_Record]) -> pa.Table:
        ids: list[str] = []
        for request_id, _, n, _, _ in buffer:
            if n == 1:
                ids.append(request_id)
            else:
                ids.extend(f"{request_id}:{i}" for i in range(n))
        stamps = np.concatenate([np.full(n, ts, dtype=np.int64) for _, ts, n, _, _ in buffer])
        arrays: list[pa.Array] = [
            pa.array(ids, pa.string()),
            pa.array(stamps, TIMESTAMP),
            pa.array([self.model_version] * len(ids), pa.string()),
        ]
        feature_fields = list(self.schema)[len(LOG_COLUMNS) : -1]
        for field, name in zip(feature_fields, self._names, strict=True):
            values = np.concatenate([record[3][name] for record in buffer])
            arrays.append(pa.array(values, field.type, from_pandas=True))
        predictions = np.concatenate([record[4] for record in buffer])
        arrays.append(pa.array(predictions, self.schema.field(PREDICTION).type, from_pandas=True))
        return pa.Table.from_arrays(arrays, schema=self.schema)
