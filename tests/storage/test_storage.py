"""Storage locations: the same reads and writes on a local folder and on a real S3 server, the
hour layout and window pruning, and messages that never show a credential."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from mlops_gitops.errors import DriftError
from mlops_gitops.io.storage import (
    Location,
    StorageError,
    credential_environment,
    is_remote,
    location,
    redact,
)
from mlops_gitops.requestlog.files import PartitionedWriter
from mlops_gitops.requestlog.layout import in_window, partition
from mlops_gitops.requestlog.window import log_files, read_current_window

NOW = datetime(2024, 5, 8, 6, 30, tzinfo=UTC)


@pytest.fixture(params=["local", "s3"])
def folder(request: pytest.FixtureRequest, tmp_path: Path) -> Location:
    if request.param == "local":
        return location(tmp_path / "log")
    bucket: str = request.getfixturevalue("s3_bucket")
    return location(f"{bucket}/requests/")


def test_written_files_are_found_and_read_back_hidden_ones_are_not(folder: Location) -> None:
    assert folder.find() == []
    assert not folder.exists()
    folder.write_bytes("a/one.bin", b"1")
    folder.write_bytes("a/.two.tmp", b"half")
    folder.write_bytes("b/three.bin", b"333")

    found = folder.find(".bin")

    assert [folder.relative(p) for p in found] == ["a/one.bin", "b/three.bin"]
    assert list(folder.read_many(found).values()) == [b"1", b"333"]
    assert folder.exists()


def log_table(stamps: list[datetime]) -> pa.Table:
    return pa.table(
        {
            "request_id": [f"r{i}" for i in range(len(stamps))],
            "timestamp": pa.array(stamps, pa.timestamp("us", tz="UTC")),
            "x": [float(i) for i in range(len(stamps))],
        }
    )


def test_a_window_reads_only_its_hours_and_rows(folder: Location) -> None:
    writer = PartitionedWriter(folder, replica="pod-a")
    hours = [NOW - timedelta(hours=h) for h in (30, 2, 1, 0)]
    # one table across three hours becomes one file per hour
    assert len(writer.write(log_table(hours[1:]))) == 3
    writer.write(log_table(hours[:1]))
    PartitionedWriter(folder.child("labels"), replica="pod-a").write(log_table([NOW]))

    in_day = log_files(folder, NOW - timedelta(hours=3), NOW + timedelta(minutes=1))
    window = read_current_window(folder, window=timedelta(hours=3), now=NOW + timedelta(minutes=1))

    assert sorted(folder.relative(p) for p in folder.find(".parquet")) == [
        "date=2024-05-07/hour=00/pod-a-000004.parquet",
        "date=2024-05-08/hour=04/pod-a-000001.parquet",
        "date=2024-05-08/hour=05/pod-a-000002.parquet",
        "date=2024-05-08/hour=06/pod-a-000003.parquet",
        "labels/date=2024-05-08/hour=06/pod-a-000001.parquet",
    ]
    # the day-old hour and the labels are not even listed for the window
    assert sorted(folder.relative(p) for p in in_day) == [
        "date=2024-05-08/hour=04/pod-a-000001.parquet",
        "date=2024-05-08/hour=05/pod-a-000002.parquet",
        "date=2024-05-08/hour=06/pod-a-000003.parquet",
    ]
    assert window.files == 3
    assert sorted(window.table["request_id"].to_pylist()) == ["r0", "r1", "r2"]
    narrow = read_current_window(folder, window=timedelta(minutes=75), now=NOW)
    assert narrow.table["request_id"].to_pylist() == ["r1"]  # 05:30; 06:30 is not before now


def test_partition_names_and_pruning() -> None:
    assert partition(datetime(2024, 5, 8, 23, 59, tzinfo=UTC)) == "date=2024-05-08/hour=23"
    start, end = datetime(2024, 5, 8, 5, 30, tzinfo=UTC), datetime(2024, 5, 8, 7, 0, tzinfo=UTC)
    assert in_window("date=2024-05-08/hour=05/a-000001.parquet", start, end)
    assert in_window("date=2024-05-08/hour=06/a-000001.parquet", start, end)
    assert not in_window("date=2024-05-08/hour=07/a-000001.parquet", start, end)
    assert not in_window("date=2024-05-08/hour=04/a-000001.parquet", start, end)
    assert in_window("20240508T000000Z-000001.parquet", start, end)  # an earlier version's file
    assert not in_window("other/x.parquet", start, end)


def test_an_empty_log_says_what_to_do(folder: Location) -> None:
    with pytest.raises(DriftError, match=r"^no request log at "):
        read_current_window(folder, window=timedelta(days=1), now=NOW)


def test_uris_are_normalised_and_credentials_never_shown(tmp_path: Path) -> None:
    assert location("s3://bucket/prefix/").uri == "s3://bucket/prefix"
    assert location("S3://bucket").uri == "s3://bucket"
    assert location("logs", tmp_path).uri == str(tmp_path / "logs")
    assert location(f"file://{tmp_path}/x").uri == str(tmp_path / "x")
    assert not is_remote("file:///tmp/x") and is_remote("gs://b/p") and not is_remote("/tmp")
    assert redact("https://user:s3cret@host/path") == "https://***@host/path"
    assert str(Location("s3://key:s3cret@bucket/p")) == "s3://***@bucket/p"
    env = {"AWS_SECRET_ACCESS_KEY": "s", "AWS_ACCESS_KEY_ID": "", "HOME": "/root"}
    assert credential_environment(env) == {"AWS_SECRET_ACCESS_KEY": "s"}
    with pytest.raises(StorageError) as empty:
        location("s3:///")
    assert (empty.value.message, empty.value.hint) == (
        "s3:/// names no bucket or container",
        "write s3://<bucket>/<prefix>",
    )


def test_an_unknown_or_unreachable_store_is_a_clear_error(s3_bucket: str) -> None:
    with pytest.raises(StorageError) as unknown:
        location("nosuchscheme://bucket/x").find()
    assert unknown.value.message.startswith("nosuchscheme:// storage is not available")
    assert unknown.value.hint == "use s3://, gs://, az:// or a local folder"

    with pytest.raises(StorageError) as missing:
        location("s3://no-such-bucket-here/x").write_bytes("a.bin", b"1")
    assert missing.value.message.startswith("could not write s3://no-such-bucket-here/x/a.bin: ")
    assert "AWS_ENDPOINT_URL" in (missing.value.hint or "")
