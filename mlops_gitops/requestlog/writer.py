"""The request log: what the model saw and said, for drift detection and for joining late labels.

A request hands :meth:`RequestLogWriter.submit` one small tuple (id, time, checked columns,
predictions); the bounded background writer (:mod:`mlops_gitops.requestlog.buffered`) writes a
Parquet file (see :mod:`mlops_gitops.requestlog.files`) when ``max_rows_per_file`` rows are
buffered or the oldest is ``max_seconds_per_file`` old (1 s by default, so served rows reach a
drift check within about 2 s), and on close. ``submit`` never blocks: when the queue is full the
records are dropped and counted; a failing disk or store only costs records (counted as
``write_error``), never a request. ``buffered`` counts the rows accepted but not yet written: what
a SIGKILL would lose (``mlops_request_log_buffered_records`` on ``/metrics``).

The log is a folder, local or in object storage (:mod:`mlops_gitops.requestlog.layout`); each
row of ``<log>/date=YYYY-MM-DD/hour=HH/<replica>-<seq>.parquet`` is one predicted row, with
exactly the columns of :func:`mlops_gitops.requestlog.schema.served_schema`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from mlops_gitops.io.tables import value_kind
from mlops_gitops.ml.artifact import Columns, FeatureInfo
from mlops_gitops.requestlog.buffered import (
    BufferedWriter,
    ParquetSink,
    RequestLogSettings,
    Sink,
)
from mlops_gitops.requestlog.schema import LOG_COLUMNS, PREDICTION, served_schema, timestamp_type

__all__ = [
    "ParquetSink",
    "RequestLogSettings",
    "RequestLogWriter",
    "Sink",
    "arrow_type_of",
    "request_log_schema",
]

_KIND_TYPES = {
    "number": pa.float64(),
    "integer": pa.int64(),
    "boolean": pa.bool_(),
    "int-category": pa.int64(),
    "string": pa.string(),
}
TIMESTAMP = timestamp_type()


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
    return served_schema([(f.name, _KIND_TYPES[value_kind(f)]) for f in features], prediction_type)


_Record = tuple[str, int, int, Columns, np.ndarray[Any, Any]]


class RequestLogWriter(BufferedWriter[_Record]):
    def __init__(
        self,
        settings: RequestLogSettings,
        *,
        features: tuple[FeatureInfo, ...],
        model_version: str,
        prediction_type: pa.DataType,
        sink: Sink | None = None,
    ) -> None:
        super().__init__(
            settings,
            sink if sink is not None else ParquetSink(settings.folder),
            what="request log",
        )
        self.schema = request_log_schema(features, prediction_type)
        self.model_version = model_version
        self._names = [f.name for f in features]

    def submit(
        self,
        request_id: str,
        timestamp_us: int,
        columns: Columns,
        predictions: np.ndarray[Any, Any],
    ) -> bool:
        """Queue one request's rows; drop and count them when the queue is full."""
        rows = len(predictions)
        return self.offer((request_id, timestamp_us, rows, columns, predictions), rows)

    def _rows(self, record: _Record) -> int:
        return record[2]

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
