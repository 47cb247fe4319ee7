"""Reading a window of the request log, as the serving module writes it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mlops_gitops.errors import DriftError
from mlops_gitops.monitoring import parse_window, read_current_window

NOW = datetime(2024, 5, 8, 6, 0, tzinfo=UTC)


def log_file(path, start: datetime, hours: int, version: str = "v1", extra: bool = False):
    stamps = [start + timedelta(hours=h) for h in range(hours)]
    columns = {
        "request_id": [f"{version}-{i}" for i in range(hours)],
        "timestamp": pa.array(stamps, type=pa.timestamp("us", tz="UTC")),
        "model_version": [version] * hours,
        "age": np.arange(hours, dtype=float),
        "prediction": ["yes"] * hours,
    }
    if extra:
        columns["income"] = np.ones(hours)
    pq.write_table(pa.table(columns), path)


@pytest.fixture
def log(tmp_path):
    directory = tmp_path / "requests"
    directory.mkdir()
    log_file(directory / "0001.parquet", NOW - timedelta(days=10), 24)  # all too old
    log_file(directory / "0002.parquet", NOW - timedelta(days=8), 48)  # half in the window
    log_file(directory / "0003.parquet", NOW - timedelta(hours=5), 10, extra=True)  # 5 future
    (directory / "labels").mkdir()
    log_file(directory / "labels" / "0001.parquet", NOW - timedelta(hours=1), 1)
    return directory


def test_only_rows_inside_the_window_are_read(log):
    window = read_current_window(
        log, window=timedelta(days=7), now=NOW, columns=["age", "prediction", "income"]
    )
    assert window.table.column_names == ["age", "prediction", "income"]
    assert window.table.num_rows == 24 + 5  # [now - 7d, now)
    assert window.start == NOW - timedelta(days=7) and window.end == NOW
    assert window.files == 3
    # income exists only in the newest file: nulls elsewhere
    assert window.table.column("income").null_count == 24


def test_a_naive_now_is_utc_and_an_aware_one_is_converted(log):
    naive = read_current_window(log, window=timedelta(hours=12), now=NOW.replace(tzinfo=None))
    other_zone = NOW.astimezone(__import__("datetime").timezone(timedelta(hours=2)))
    aware = read_current_window(log, window=timedelta(hours=12), now=other_zone)
    assert naive.table.num_rows == aware.table.num_rows == 5


def test_unreadable_files_are_skipped_and_named(log):
    (log / "0004.parquet").write_bytes(b"not parquet at all")
    window = read_current_window(log, window=timedelta(days=7), now=NOW, columns=["age"])
    assert window.table.num_rows == 29
    assert len(window.skipped) == 1
    assert window.skipped[0].startswith(f"{log / '0004.parquet'}: not a readable Parquet file")


def test_a_missing_or_empty_log_is_a_user_error(tmp_path):
    with pytest.raises(DriftError, match="no request log at") as error:
        read_current_window(tmp_path / "nope", window=timedelta(days=1), now=NOW)
    assert "--current FILE" in (error.value.hint or "")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DriftError, match=r"holds no \*\.parquet file"):
        read_current_window(tmp_path / "empty", window=timedelta(days=1), now=NOW)


def test_asking_for_a_column_no_file_has_is_a_user_error(log):
    with pytest.raises(DriftError, match="has no column"):
        read_current_window(log, window=timedelta(days=1), now=NOW, columns=["height"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", timedelta(days=7)),
        ("12h", timedelta(hours=12)),
        ("30m", timedelta(minutes=30)),
        ("2w", timedelta(weeks=2)),
        (" 90s ", timedelta(seconds=90)),
    ],
)
def test_parse_window(text, expected):
    assert parse_window(text) == expected


@pytest.mark.parametrize("text", ["7", "d", "0d", "-1d", "1.5h", "7 days", ""])
def test_parse_window_rejects_bad_text(text):
    with pytest.raises(DriftError) as error:
        parse_window(text)
    assert error.value.message == (
        "The window must be a positive whole number followed by a unit (s, m, h, d or w), "
        f"such as 7d, 12h, 30m or 2w. Got {text!r} instead."
    )
