"""The columns of the request log: a served row and a label row, their names and Arrow types.

The writer (:mod:`mlops_gitops.requestlog.writer`), the label writer
(:mod:`mlops_gitops.labels.store`) and every reader (the window reader, drift checks, the labels
join, labelled performance, drift pull requests) take the names from here, so a renamed column
changes in one place.

A served row (``<log>/date=.../hour=.../<replica>-<seq>.parquet``), in this order::

    request_id     string, not null       the request id; row i of an n-row request (n > 1)
                                          gets "<request id>:<i>"
    timestamp      timestamp[us, tz=UTC]  when the request arrived
    model_version  string, not null       sha256 prefix of model.skops (or a registry version)
    <feature>...   one column per model input, in model order (float64, int64, bool or string)
    prediction     the predicted class (its label type) or value (float64)

A label row (``<log>/labels/date=.../hour=.../<replica>-<seq>.parquet``)::

    request_id     string                 the served row it labels
    label          the true class or value (the model's label type when known)
    timestamp      timestamp[us, tz=UTC]  when the label was recorded

Light on purpose: pyarrow is imported only by the functions that build Arrow schemas.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "LABEL",
    "LABEL_COLUMNS",
    "LOG_COLUMNS",
    "MODEL_VERSION",
    "PREDICTION",
    "REQUEST_ID",
    "TIMESTAMP",
    "label_schema",
    "served_schema",
    "timestamp_type",
]

REQUEST_ID = "request_id"
TIMESTAMP = "timestamp"
MODEL_VERSION = "model_version"
PREDICTION = "prediction"
LABEL = "label"

LOG_COLUMNS = (REQUEST_ID, TIMESTAMP, MODEL_VERSION)
"""The bookkeeping columns of a served row, before the features: never compared for drift."""
LABEL_COLUMNS = (REQUEST_ID, LABEL, TIMESTAMP)
"""The columns of a label row, in order."""


def timestamp_type() -> pa.DataType:
    """The type of ``timestamp`` in both kinds of row: microseconds, UTC."""
    import pyarrow as pa

    return pa.timestamp("us", tz="UTC")


def served_schema(
    features: Sequence[tuple[str, pa.DataType]], prediction_type: pa.DataType
) -> pa.Schema:
    """The schema of a served row: bookkeeping, ``features`` (name, type) in order, prediction."""
    import pyarrow as pa

    return pa.schema(
        [
            pa.field(REQUEST_ID, pa.string(), nullable=False),
            pa.field(TIMESTAMP, timestamp_type(), nullable=False),
            pa.field(MODEL_VERSION, pa.string(), nullable=False),
            *(pa.field(name, kind) for name, kind in features),
            pa.field(PREDICTION, prediction_type),
        ]
    )


def label_schema(label_type: pa.DataType) -> pa.Schema:
    """The schema of a label row whose labels have ``label_type``."""
    import pyarrow as pa

    return pa.schema(
        [
            pa.field(REQUEST_ID, pa.string()),
            pa.field(LABEL, label_type),
            pa.field(TIMESTAMP, timestamp_type()),
        ]
    )
