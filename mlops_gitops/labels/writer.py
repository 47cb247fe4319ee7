"""Labels from the feedback route, batched into rotating files the way the request log is.

The route hands :meth:`LabelWriter.submit` one request's checked labels; the bounded background
writer (:mod:`mlops_gitops.requestlog.buffered`) writes everything buffered as one file of
``<log>/labels/date=YYYY-MM-DD/hour=HH/<replica>-<seq>.parquet`` when ``max_rows_per_file``
labels are buffered or the oldest is ``max_seconds_per_file`` old, and on close: a burst of
feedback makes a file a second, not a file a request. A full queue refuses the request (the
route answers 503, so the client retries); a failing store costs labels, counted in
``mlops_labels_dropped_records_total{reason="write_error"}``, never a request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from mlops_gitops.labels.store import LABEL_TIMESTAMP, labels_folder_writer, labels_table
from mlops_gitops.requestlog.buffered import BufferedWriter, ParquetSink, RequestLogSettings, Sink

__all__ = ["LabelWriter"]

_Record = tuple[Sequence[str], Sequence[Any], int]  # ids, labels, when recorded (µs)


class LabelWriter(BufferedWriter[_Record]):
    """The labels of ``settings.folder`` (the request log), typed ``label_type``."""

    def __init__(
        self, settings: RequestLogSettings, *, label_type: pa.DataType, sink: Sink | None = None
    ) -> None:
        super().__init__(
            settings,
            sink if sink is not None else ParquetSink(labels_folder_writer(settings.folder)),
            what="labels",
        )
        self.label_type = label_type

    def submit(self, request_ids: Sequence[str], labels: Sequence[Any], timestamp_us: int) -> bool:
        """Queue one request's labels; False (and counted) when the queue is full."""
        return self.offer((request_ids, labels, timestamp_us), len(request_ids))

    def _rows(self, record: _Record) -> int:
        return len(record[0])

    def _table(self, records: list[_Record]) -> pa.Table:
        ids = [i for record in records for i in record[0]]
        labels = [label for record in records for label in record[1]]
        stamps = np.concatenate([np.full(len(ids_), ts, dtype=np.int64) for ids_, _, ts in records])
        return labels_table(
            ids, labels, pa.array(stamps, LABEL_TIMESTAMP), label_type=self.label_type
        )
