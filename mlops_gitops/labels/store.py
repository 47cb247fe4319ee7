"""True labels, which arrive late: appended beside the request log, in
``<log>/labels/date=YYYY-MM-DD/hour=HH/<replica>-<seq>.parquet`` (local or object storage, see
:mod:`mlops_gitops.requestlog.layout`).

Each file has the columns ``request_id`` (string), ``label`` and ``timestamp``
(timestamp[us, tz=UTC], when the label was recorded). A label is joined to the request log by
``request_id`` (for a row of a multi-row request: ``<request id>:<row>``). Labels come from
``POST /v2/models/{name}/feedback`` (checked by
:func:`mlops_gitops.serving.feedback_checks.labels_from_feedback`, then queued to
:class:`mlops_gitops.labels.writer.LabelWriter`) or from a CSV/Parquet file
(:func:`import_labels`).
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

__all__ = [
    "LABELS_DIR",
    "LABEL_TIMESTAMP",
    "import_labels",
    "label_type_name",
    "labels_folder_writer",
    "labels_table",
    "write_labels",
]

LABEL_TIMESTAMP = timestamp_type()
_writers: dict[str, PartitionedWriter] = {}
_writers_lock = threading.Lock()


def label_type_name(label_type: pa.DataType) -> str:
    """How a message names a label type: a number, an integer, a boolean or a string."""
    if pa.types.is_floating(label_type):
        return "a number"
    if pa.types.is_integer(label_type):
        return "an integer"
    if pa.types.is_boolean(label_type):
        return "a boolean"
    return "a string"


def labels_folder_writer(log: Location | Path | str) -> PartitionedWriter:
    """This process's writer of the labels folder of ``log``: one per folder, so imports and
    the feedback route of one process never number two files alike."""
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
    """Append labels as one new Parquet file beside the request log ``log`` now (a one-shot
    write, for imports); return its path."""
    now = when or datetime.now(UTC)
    stamps = pa.array([now] * len(request_ids), LABEL_TIMESTAMP)
    table = labels_table(request_ids, labels, stamps, label_type=label_type)
    return labels_folder_writer(log).write(table)[0]


def labels_table(
    request_ids: Sequence[str],
    labels: Sequence[Any],
    stamps: pa.Array,
    *,
    label_type: pa.DataType | None = None,
) -> pa.Table:
    """The label file's columns (:func:`mlops_gitops.requestlog.schema.label_schema`):
    ``request_id``, ``label`` (``label_type``, else inferred) and ``timestamp`` (``stamps``: when
    each label was recorded)."""
    label_array = pa.array(list(labels), label_type)
    return pa.Table.from_arrays(
        [pa.array(list(request_ids), pa.string()), label_array, stamps.cast(LABEL_TIMESTAMP)],
        schema=label_schema(label_array.type),
    )


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
            raise DataError(
                f"{file}: 'label' is not {label_type_name(label_type)}: {error}"
            ) from None
    if table.num_rows:
        write_labels(log, ids.to_pylist(), labels.to_pylist(), label_type=labels.type)
    return int(table.num_rows)
