"""Feedback labels go through a bounded background writer, like the request log: a burst of
feedback makes a few files, not one per request, locally and on object storage; a full queue
refuses the request (503, retry), a failing store costs labels counted in /metrics, never a
request."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pyarrow as pa
import pyarrow.parquet as pq
import s3fs

from mlops_gitops.io.storage import location
from mlops_gitops.requestlog.writer import RequestLogSettings
from mlops_gitops.serving.app import create_app
from tests.helpers.asgi_server import running
from tests.serving.models import ROW

LABELS = 200


def served_ids(client: httpx.Client, url: str, count: int) -> list[str]:
    ids = []
    for _ in range(count):
        response = client.post(f"{url}/predict", json={"instances": [ROW]})
        assert response.status_code == 200
        ids.append(response.json()["request_id"])
    return ids


def served_rows(client: httpx.Client, url: str, count: int) -> list[str]:
    """The label ids of the rows of one ``count``-row request: ``<request id>:<row>``."""
    response = client.post(f"{url}/predict", json={"instances": [ROW] * count})
    assert response.status_code == 200
    return [f"{response.json()['request_id']}:{row}" for row in range(count)]


def post_labels(client: httpx.Client, url: str, ids: list[str]) -> None:
    """One feedback request per label, as fast as the server answers."""
    for i, request_id in enumerate(ids):
        label = "churn" if i % 2 else "stay"
        body = {"labels": [{"request_id": request_id, "label": label}]}
        response = client.post(f"{url}/v2/models/churn/feedback", json=body)
        assert response.status_code == 200, response.text
        assert response.json() == {"request_id": response.headers["x-request-id"], "recorded": 1}


# Files rotate at 100 labels (or at 60 s, which the test never reaches, or on close): the count
# of files does not depend on how fast a loaded machine answers. Under the default 1 s, a burst
# makes at most a file a second.
def batched(folder: Path | str) -> RequestLogSettings:
    return RequestLogSettings(location(folder), max_rows_per_file=100, max_seconds_per_file=60.0)


def test_a_burst_of_feedback_lands_in_a_few_files(classifier_dir: Path, tmp_path: Path) -> None:
    log = tmp_path / "log"
    app = create_app(classifier_dir, name="churn", request_log=batched(log))
    with running(app) as url, httpx.Client() as client:
        ids = served_rows(client, url, LABELS)
        post_labels(client, url, ids)
    files = sorted((log / "labels").rglob("*.parquet"))  # the shutdown wrote the rest
    assert 2 <= len(files) <= 3, files  # 3 only if the burst straddled an hour
    assert all(pq.read_metadata(f).num_rows <= 100 for f in files)
    table = pa.concat_tables(pq.read_table(f) for f in files)
    assert table.num_rows == LABELS
    assert sorted(table.column("request_id").to_pylist()) == sorted(ids)
    labels = dict(
        zip(table.column("request_id").to_pylist(), table.column("label").to_pylist(), strict=True)
    )
    assert [labels[i] for i in ids] == ["churn" if i % 2 else "stay" for i in range(LABELS)]
    assert table.schema.names == ["request_id", "label", "timestamp"]
    assert table.schema.field("timestamp").type == pa.timestamp("us", tz="UTC")


def test_a_burst_of_feedback_lands_in_a_few_objects_on_s3(
    classifier_dir: Path, s3_bucket: str
) -> None:
    log = f"{s3_bucket}/requests/deployment=churn"
    app = create_app(classifier_dir, name="churn", request_log=batched(log))
    with running(app) as url, httpx.Client() as client:
        ids = served_rows(client, url, LABELS)
        post_labels(client, url, ids)
    fs = s3fs.S3FileSystem(skip_instance_cache=True, use_listings_cache=False)
    prefix = log.removeprefix("s3://")
    keys = sorted(k for k in fs.find(f"{prefix}/labels") if k.endswith(".parquet"))
    assert 2 <= len(keys) <= 3, keys
    table = pa.concat_tables(pq.read_table(fs.open(k, "rb")) for k in keys)
    assert table.num_rows == LABELS
    assert sorted(table.column("request_id").to_pylist()) == sorted(ids)


class FailingSink:
    def __init__(self) -> None:
        self.calls = 0

    def write(self, table: pa.Table) -> None:
        self.calls += 1
        raise OSError("No space left on device")


def metric(text: str, name: str) -> float | None:
    """The sample ``name``; None before a labelled series has its first count."""
    values = [line.split()[-1] for line in text.splitlines() if line.startswith(name + " ")]
    assert len(values) <= 1
    return float(values[0]) if values else None


def test_a_failing_label_store_costs_labels_counted_in_metrics_never_a_request(
    classifier_dir: Path, tmp_path: Path
) -> None:
    sink = FailingSink()
    app = create_app(
        classifier_dir,
        name="churn",
        request_log=RequestLogSettings(tmp_path / "log"),
        label_sink=sink,
    )
    dropped = 'mlops_labels_dropped_records_total{reason="write_error"}'
    with running(app) as url, httpx.Client() as client:
        ids = served_ids(client, url, 3)
        post_labels(client, url, ids)
        deadline = time.monotonic() + 20
        while metric(client.get(f"{url}/metrics").text, dropped) != 3:
            assert time.monotonic() < deadline, "the dropped labels were never counted"
            time.sleep(0.1)
        text = client.get(f"{url}/metrics").text
        assert metric(text, "mlops_labels_written_records_total") == 0
        assert metric(text, "mlops_labels_buffered_records") == 0
        assert client.post(f"{url}/predict", json={"instances": [ROW]}).status_code == 200
    assert sink.calls >= 1
    assert not (tmp_path / "log" / "labels").exists()


class BlockingSink:
    """Holds the writer thread in its first write until released."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.tables: list[pa.Table] = []

    def write(self, table: pa.Table) -> None:
        self.entered.set()
        assert self.release.wait(30)
        self.tables.append(table)


def test_a_full_label_queue_is_503_and_the_client_may_retry(
    classifier_dir: Path, tmp_path: Path
) -> None:
    sink = BlockingSink()
    settings = RequestLogSettings(tmp_path / "log", queue_size=1)
    app = create_app(classifier_dir, name="churn", request_log=settings, label_sink=sink)
    with running(app) as url, httpx.Client() as client:
        try:
            first, second, third = served_ids(client, url, 3)
            post_labels(client, url, [first])
            assert sink.entered.wait(10)  # the writer holds the first label; its queue is empty
            post_labels(client, url, [second])  # fills the one-request queue
            body = {"labels": [{"request_id": third, "label": "stay"}]}
            refused = client.post(f"{url}/v2/models/churn/feedback", json=body)
            assert refused.status_code == 503
            assert refused.headers["retry-after"] == "1"
            assert refused.json()["error"] == (
                "the label writer's queue is full (the store is slow or failing); "
                "retry the same labels later"
            )
            text = client.get(f"{url}/metrics").text
            assert metric(text, 'mlops_labels_dropped_records_total{reason="queue_full"}') == 1
        finally:
            sink.release.set()  # before the shutdown, which waits for the writer
        deadline = time.monotonic() + 10
        while client.post(f"{url}/v2/models/churn/feedback", json=body).status_code != 200:
            assert time.monotonic() < deadline, "the retry was never accepted"
            time.sleep(0.1)
    written = pa.concat_tables(sink.tables)  # the shutdown wrote the last batch
    assert sorted(written.column("request_id").to_pylist()) == sorted([first, second, third])
