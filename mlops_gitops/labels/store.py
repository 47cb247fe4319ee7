"""True labels, which arrive late: appended beside the request log, in
``<log>/labels/date=YYYY-MM-DD/hour=HH/<replica>-<seq>.parquet`` (local or object storage, see
:mod:`mlops_gitops.requestlog.layout`).

Each file has the columns ``request_id`` (string), ``label`` and ``timestamp``
(timestamp[us, tz=UTC], when the label was recorded). A label is joined to the request log by
``request_id`` (for a row of a multi-row request: ``<request id>:<row>``). Labels come from
``POST /v2/models/{name}/feedback`` (:func:`labels_from_feedback` then :func:`write_labels`) or
from a CSV/Parquet file (:func:`import_labels`).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from mlops_gitops.errors import DataError
from mlops_gitops.io.storage import Location, location
from mlops_gitops.io.tables import read_table
from mlops_gitops.requestlog.files import PartitionedWriter
from mlops_gitops.requestlog.layout import LABELS_DIR
from mlops_gitops.requestlog.schema import LABEL, REQUEST_ID, label_schema, timestamp_type
from mlops_gitops.serving.payloads import PayloadError

__all__ = ["LABELS_DIR", "import_labels", "labels_from_feedback", "write_labels"]

MAX_ID_LENGTH = 200
_writers: dict[str, PartitionedWriter] = {}
_writers_lock = threading.Lock()


def labels_from_feedback(body: Any, label_type: pa.DataType) -> tuple[list[str], list[Any]]:
    """Check a feedback body ``{"labels": [{"request_id": ..., "label": ...}, ...]}``."""
    items = body.get("labels") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise PayloadError(
            'expected {"labels": [{"request_id": ..., "label": ...}, ...]} with one or more labels'
        )
    ids: list[str] = []
    labels: list[Any] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or set(item) != {REQUEST_ID, LABEL}:
            raise PayloadError(f"labels[{index}] must be an object with 'request_id' and 'label'")
        request_id, label = item[REQUEST_ID], item[LABEL]
        if not isinstance(request_id, str) or not 0 < len(request_id) <= MAX_ID_LENGTH:
            raise PayloadError(
                f"labels[{index}].request_id must be a string of 1 to {MAX_ID_LENGTH} characters"
            )
        if not _fits(label, label_type):
            raise PayloadError(
                f"labels[{index}].label must be {_describe(label_type)}, got {label!r}"
            )
        ids.append(request_id)
        labels.append(label)
    return ids, labels


def _fits(value: Any, label_type: pa.DataType) -> bool:
    if pa.types.is_floating(label_type):
        return type(value) in (int, float)
    if pa.types.is_integer(label_type):
        return type(value) is int and -(2**63) <= value < 2**63
    if pa.types.is_boolean(label_type):
        return type(value) is bool
    return type(value) is str


def _describe(label_type: pa.DataType) -> str:
    if pa.types.is_floating(label_type):
        return "a number"
    if pa.types.is_integer(label_type):
        return "an integer"
    if pa.types.is_boolean(label_type):
        return "a boolean"
    return "a string"


def _writer(log: Location | Path | str) -> PartitionedWriter:
    """This process's writer of the labels folder of ``log`` (one sequence per folder)."""
    folder = (log if isinstance(log, Location) else location(log)).child(LABELS_DIR)
    with _writers_lock:
        writer = _writers.get(folder.uri)
        if writer is None:
            writer = _writers[folder.uri] = PartitionedWriter(folder)
    return writer


def write_labels(
    log: Location | Path | str,
    request_ids: Sequence[str],
    labels: Sequence[Any],
    *,
    label_type: pa.DataType | None = None,
    when: datetime | None = None,
) -> str:
    """Append labels as one new Parquet file beside the request log ``log``; return its path."""
    now = when or datetime.now(UTC)
    label_array = pa.array(list(labels), label_type)
    table = pa.Table.from_arrays(
        [
            pa.array(list(request_ids), pa.string()),
            label_array,
            pa.array([now] * len(request_ids), timestamp_type()),
        ],
        schema=label_schema(label_array.type),
    )
    return _writer(log).write(table)[0]


def import_labels(
    log: Location | Path | str, file: Path, *, label_type: pa.DataType | None = None
) -> int:
    """Append the ``request_id`` and ``label`` columns of a CSV or Parquet file; return how many."""
    table = read_table(file)
    missing = [c for c in (REQUEST_ID, LABEL) if c not in table.column_names]
    if missing:
        raise DataError(
            f"{file} has no column {', '.join(repr(c) for c in missing)} "
            f"(it has: {', '.join(table.column_names)})",
            "labels need a 'request_id' and a 'label' column",
        )
    ids = table.column(REQUEST_ID).cast(pa.string())
    if ids.null_count:
        raise DataError(
            f"{file}: 'request_id' has {ids.null_count} empty value(s)",
            "every label needs the id of the request it belongs to",
        )
    labels = table.column(LABEL)
    if label_type is not None:
        try:
            labels = labels.cast(label_type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
            raise DataError(f"{file}: 'label' is not {_describe(label_type)}: {error}") from None
    if table.num_rows:
        write_labels(log, ids.to_pylist(), labels.to_pylist(), label_type=labels.type)
    return int(table.num_rows)
