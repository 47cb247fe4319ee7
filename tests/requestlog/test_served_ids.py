"""LoggedIds: the request ids of a log window, read from real Parquet files once per file,
forgotten when their hour leaves the window, bounded in how many it keeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa

from mlops_gitops.io.storage import location
from mlops_gitops.requestlog.files import PartitionedWriter
from mlops_gitops.requestlog.served_ids import LoggedIds

NOW = datetime(2026, 5, 8, 12, 30, tzinfo=UTC)


def write(log: Path, ids: list[str], when: datetime, replica: str = "pod-a") -> None:
    table = pa.table(
        {
            "request_id": pa.array(ids, pa.string()),
            "timestamp": pa.array([when] * len(ids), pa.timestamp("us", tz="UTC")),
            "prediction": pa.array([1.0] * len(ids)),
        }
    )
    PartitionedWriter(location(log), replica=replica).write(table)


def test_ids_of_every_replica_in_the_window_and_each_file_read_once(tmp_path: Path) -> None:
    log = tmp_path / "log"
    now = [NOW]
    logged = LoggedIds(location(log), window_s=3600, min_refresh_s=0, clock=lambda: now[0])
    write(log, ["a", "b:0", "b:1"], NOW - timedelta(minutes=5), replica="pod-a")
    write(log, ["c"], NOW - timedelta(minutes=1), replica="pod-b")
    write(log, ["old"], NOW - timedelta(hours=3), replica="pod-a")  # before the window
    (log / "labels").mkdir()
    write(log / "labels", ["labelled"], NOW)  # labels are not served ids
    logged.refresh()
    assert [i in logged for i in ("a", "b:0", "b:1", "c")] == [True] * 4
    assert [i in logged for i in ("b", "old", "labelled", "never")] == [False] * 4
    assert logged.files_read == 2
    logged.refresh()
    assert logged.files_read == 2  # nothing new: nothing read
    write(log, ["d"], NOW, replica="pod-c")
    logged.refresh()
    assert "d" in logged and logged.files_read == 3
    now[0] = NOW + timedelta(hours=1)  # the 12:00 hour is still in [12:30, 13:30) ...
    logged.refresh()
    assert "a" in logged
    now[0] = NOW + timedelta(hours=2)  # ... and now it is not
    logged.refresh()
    assert "a" not in logged and "d" not in logged


def test_at_most_capacity_ids_are_kept_the_newest_files(tmp_path: Path) -> None:
    log = tmp_path / "log"
    for hour in range(5):  # 11:.., 10:.., ... each hour one file of 3 ids
        when = NOW - timedelta(hours=hour)
        write(log, [f"h{hour}-{i}" for i in range(3)], when)
    logged = LoggedIds(location(log), window_s=24 * 3600, capacity=7, clock=lambda: NOW)
    logged.refresh()
    kept = [f"h{hour}-0" in logged for hour in range(5)]
    assert kept == [True, True, False, False, False]  # 6 ids kept, a third file is too many
    assert logged.files_read == 3  # the two oldest were never read
    write(log, ["new"], NOW + timedelta(minutes=1), replica="pod-b")
    logged.refresh()  # min_refresh_s has not passed: the last listing stands
    assert "new" not in logged


def test_a_reused_id_stays_known_while_one_of_its_files_is_kept(tmp_path: Path) -> None:
    log = tmp_path / "log"
    write(log, ["same"], NOW - timedelta(hours=2))  # a client may send the same X-Request-ID
    write(log, ["same"], NOW)
    now = [NOW]
    logged = LoggedIds(location(log), window_s=3 * 3600, min_refresh_s=0, clock=lambda: now[0])
    logged.refresh()
    now[0] = NOW + timedelta(hours=1, minutes=31)  # the older file left the window
    logged.refresh()
    assert "same" in logged


def test_an_unreadable_file_is_skipped(tmp_path: Path) -> None:
    log = tmp_path / "log"
    write(log, ["a"], NOW)
    broken = log / "date=2026-05-08" / "hour=12" / "pod-z-000001.parquet"
    broken.write_bytes(b"not parquet")
    logged = LoggedIds(location(log), window_s=3600, clock=lambda: NOW)
    logged.refresh()
    assert "a" in logged and logged.files_read == 1
