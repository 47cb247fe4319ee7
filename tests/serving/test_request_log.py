"""The request log: its contents after traffic, and that a slow or failing disk never hurts a
request (records are dropped and counted instead)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pyarrow as pa
import pyarrow.parquet as pq

from mlops_gitops.requestlog.writer import ParquetSink, RequestLogSettings
from mlops_gitops.serving.app import create_app
from tests.helpers.asgi_server import running
from tests.serving.models import ROW


def log_files(directory: Path) -> list[Path]:
    """The request-log files below ``directory`` (hour folders; not the labels)."""
    return sorted(p for p in directory.rglob("*.parquet") if "labels" not in p.parts)


def read_log(directory: Path) -> pa.Table:
    files = log_files(directory)
    assert files, f"no request log files in {directory}"
    return pa.concat_tables(pq.read_table(f) for f in files)


def test_log_after_traffic_has_one_row_per_prediction(tmp_path: Path, classifier_dir: Path) -> None:
    log = tmp_path / "requests" / "churn"
    app = create_app(
        classifier_dir,
        name="churn",
        request_log=RequestLogSettings(log, max_seconds_per_file=60),
        model_version="v1.2.0",
    )
    with running(app) as url, httpx.Client() as client:
        one = client.post(
            f"{url}/predict", json={"instances": [ROW]}, headers={"X-Request-ID": "r1"}
        )
        two = client.post(
            f"{url}/predict",
            json={"instances": [ROW, {**ROW, "age": 85, "city": "rome"}]},
            headers={"X-Request-ID": "r2"},
        )
        bad = client.post(f"{url}/predict", json={"instances": [{**ROW, "age": -5}]})
        assert (one.status_code, two.status_code, bad.status_code) == (200, 200, 400)
        assert not log_files(log)  # buffered until a file is full, old or closed
    table = read_log(log)  # shutdown flushed it
    assert table.schema.names == [
        "request_id",
        "timestamp",
        "model_version",
        "age",
        "income",
        "city",
        "member",
        "prediction",
    ]
    assert table.schema.field("timestamp").type == pa.timestamp("us", tz="UTC")
    assert str(table.schema.field("request_id").type) == "string"
    assert table.column("request_id").to_pylist() == ["r1", "r2:0", "r2:1"]
    assert table.column("model_version").to_pylist() == ["v1.2.0"] * 3
    assert table.column("age").to_pylist() == [42, 42, 85]
    assert table.column("city").to_pylist() == ["paris", "paris", "rome"]
    assert table.column("prediction").to_pylist() == ["stay", "stay", "churn"]
    stamps = table.column("timestamp").to_pylist()
    assert abs(time.time() - stamps[0].timestamp()) < 60


def test_files_rotate_by_rows(tmp_path: Path, classifier_dir: Path) -> None:
    settings = RequestLogSettings(tmp_path / "log", max_rows_per_file=2)
    app = create_app(classifier_dir, name="churn", request_log=settings)
    with running(app) as url, httpx.Client() as client:
        for _ in range(5):
            assert client.post(f"{url}/predict", json={"instances": [ROW]}).status_code == 200
    files = log_files(tmp_path / "log")
    assert [pq.read_metadata(f).num_rows for f in files] == [2, 2, 1]
    # <log>/date=YYYY-MM-DD/hour=HH/<replica>-<seq>.parquet, one replica, sequence 1, 2, 3
    assert [f.name[-15:] for f in files] == [
        "-000001.parquet",
        "-000002.parquet",
        "-000003.parquet",
    ]
    assert len({f.name[:-15] for f in files}) == 1
    assert all(
        f.parent.name.startswith("hour=") and f.parent.parent.name.startswith("date=")
        for f in files
    )


def test_files_rotate_by_age(tmp_path: Path, classifier_dir: Path) -> None:
    settings = RequestLogSettings(tmp_path / "log", max_seconds_per_file=0.2)
    app = create_app(classifier_dir, name="churn", request_log=settings)
    with running(app) as url, httpx.Client() as client:
        client.post(f"{url}/predict", json={"instances": [ROW]})
        deadline = time.monotonic() + 5
        while not log_files(tmp_path / "log") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(log_files(tmp_path / "log")) == 1  # written while serving


def metric_value(text: str, sample: str) -> int:
    lines = [line for line in text.splitlines() if line.startswith(sample + " ")]
    assert len(lines) == 1, f"{sample} not in metrics"
    return int(float(lines[0].split()[-1]))


class SlowSink(ParquetSink):
    """A disk that takes a second per file and can be held still."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.release = threading.Event()

    def write(self, table: pa.Table) -> None:
        self.release.wait(10)
        super().write(table)


def test_slow_disk_never_blocks_requests_and_drops_are_counted(
    tmp_path: Path, classifier_dir: Path
) -> None:
    settings = RequestLogSettings(tmp_path / "log", queue_size=3, max_rows_per_file=1)
    sink = SlowSink(tmp_path / "log")
    app = create_app(classifier_dir, name="churn", request_log=settings, log_sink=sink)
    with running(app) as url, httpx.Client() as client:
        started = time.monotonic()
        statuses = [
            client.post(f"{url}/predict", json={"instances": [ROW]}).status_code for _ in range(20)
        ]
        elapsed = time.monotonic() - started
        assert statuses == [200] * 20
        assert elapsed < 5  # the writer is stuck in its first write the whole time
        metrics = client.get(f"{url}/metrics").text
        # 1 record in the stuck write, up to 2 more the writer drained with it, and 3 queued:
        # the rest are dropped
        dropped = metric_value(
            metrics, 'mlops_request_log_dropped_records_total{reason="queue_full"}'
        )
        assert 14 <= dropped <= 16
        sink.release.set()
    assert read_log(tmp_path / "log").num_rows == 20 - dropped  # the queue was flushed at shutdown


def test_failing_disk_never_fails_requests_and_drops_are_counted(
    tmp_path: Path, classifier_dir: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the log folder should be")
    settings = RequestLogSettings(blocker / "requests", max_rows_per_file=1)
    app = create_app(classifier_dir, name="churn", request_log=settings)
    with running(app) as url, httpx.Client() as client:
        for _ in range(3):
            assert client.post(f"{url}/predict", json={"instances": [ROW, ROW]}).status_code == 200
        deadline = time.monotonic() + 5
        metrics = ""
        while time.monotonic() < deadline:
            metrics = client.get(f"{url}/metrics").text
            if 'reason="write_error"} 6.0' in metrics:
                break
            time.sleep(0.05)
        assert 'mlops_request_log_dropped_records_total{reason="write_error"} 6.0' in metrics
        assert "mlops_request_log_written_records_total 0.0" in metrics
