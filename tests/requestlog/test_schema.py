"""The files the request-log writer and the label writer produce have exactly the schema module's
columns, and every reader finds them by those names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from mlops_gitops.labels.joined import read_labels
from mlops_gitops.labels.store import import_labels, write_labels
from mlops_gitops.ml.artifact import FeatureInfo
from mlops_gitops.requestlog.schema import (
    LABEL,
    LABEL_COLUMNS,
    LOG_COLUMNS,
    PREDICTION,
    REQUEST_ID,
    label_schema,
    served_schema,
)
from mlops_gitops.requestlog.window import read_current_window
from mlops_gitops.requestlog.writer import RequestLogSettings, RequestLogWriter

FEATURES = (
    FeatureInfo("age", "number"),
    FeatureInfo("visits", "integer"),
    FeatureInfo("city", "category", allowed=("Oslo", "Bergen")),
    FeatureInfo("member", "boolean"),
)
NOW_US = 1_767_225_600_000_000  # 2026-01-01T00:00:00Z


def _served_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.parquet") if "labels" not in p.parts)


def _log_two_requests(folder: Path) -> None:
    writer = RequestLogWriter(
        RequestLogSettings(folder),
        features=FEATURES,
        model_version="abc123",
        prediction_type=pa.string(),
    )
    writer.start()
    columns = {
        "age": np.array([41.0, 29.5]),
        "visits": np.array([3, 7]),
        "city": np.array(["Oslo", "Bergen"], dtype=object),
        "member": np.array([True, False]),
    }
    assert writer.submit("req-1", NOW_US, columns, np.array(["yes", "no"], dtype=object))
    one = {name: values[:1] for name, values in columns.items()}
    assert writer.submit("req-2", NOW_US + 1, one, np.array(["no"], dtype=object))
    writer.close()
    assert writer.written == 3


def test_a_served_file_has_exactly_the_schema_modules_columns_and_types(tmp_path: Path) -> None:
    _log_two_requests(tmp_path)
    files = _served_files(tmp_path)
    assert files, "the writer wrote no file"
    kinds = [pa.float64(), pa.int64(), pa.string(), pa.bool_()]
    expected = served_schema(
        [(f.name, k) for f, k in zip(FEATURES, kinds, strict=True)], pa.string()
    )
    for file in files:
        schema = pq.read_schema(file)
        assert schema.names == [*LOG_COLUMNS, "age", "visits", "city", "member", PREDICTION]
        assert schema.remove_metadata().equals(expected)
    table = pa.concat_tables(pq.read_table(f) for f in files)
    assert sorted(table.column(REQUEST_ID).to_pylist()) == ["req-1:0", "req-1:1", "req-2"]


def test_a_label_file_has_exactly_the_schema_modules_columns_and_types(tmp_path: Path) -> None:
    written = write_labels(tmp_path, ["req-1:0", "req-2"], ["yes", "no"], label_type=pa.string())
    schema = pq.read_schema(written)
    assert schema.names == list(LABEL_COLUMNS)
    assert schema.remove_metadata().equals(label_schema(pa.string()))


def test_imported_labels_are_written_with_the_label_schema(tmp_path: Path) -> None:
    upload = tmp_path / "labels.csv"
    upload.write_text(f"{REQUEST_ID},{LABEL},note\nreq-1:0,3.5,ignored\n")
    log = tmp_path / "log"
    assert import_labels(log, upload, label_type=pa.float64()) == 1
    (written,) = sorted((log / "labels").rglob("*.parquet"))
    assert pq.read_schema(written).remove_metadata().equals(label_schema(pa.float64()))


def test_the_readers_find_the_writers_columns(tmp_path: Path) -> None:
    _log_two_requests(tmp_path)
    write_labels(tmp_path, ["req-2"], ["no"], label_type=pa.string())
    now = datetime(2026, 1, 2, tzinfo=UTC)
    window = read_current_window(tmp_path, window=timedelta(days=2), now=now)
    assert window.table.num_rows == 3
    assert window.table.schema.names == [
        *LOG_COLUMNS,
        "age",
        "visits",
        "city",
        "member",
        PREDICTION,
    ]
    labels = read_labels(tmp_path / "labels")
    assert labels is not None
    assert labels.to_dict("records") == [{REQUEST_ID: "req-2", LABEL: "no"}]
