"""The loop on object storage, against a real S3-protocol server (moto) on 127.0.0.1: three
replicas write their request logs to s3://, every acknowledged row is in the bucket, and
`mlops drift check`, `mlops labels import` and `mlops drift pr` work from the bucket alone."""

from __future__ import annotations

import json
import re
import signal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import s3fs

from mlops_gitops.cli import main
from tests.helpers.github_fake import FakeGitHub
from tests.helpers.shop_project import DEPLOYMENT, EXPERIMENT, customers, make_repo
from tests.storage.servers import Replica, metric

pytestmark = pytest.mark.timeout(300)

KEY = re.compile(
    r"^[^/]+/requests/deployment=shop-api/date=\d{4}-\d{2}-\d{2}/hour=\d{2}/"
    r"(?P<replica>[A-Za-z0-9_.-]+)-\d{6}\.parquet$"
)


def bucket_table(prefix: str) -> tuple[pa.Table, list[str]]:
    """The request-log rows below ``prefix`` (``bucket/key``), read straight from the store with
    s3fs, not through the product's reader; and every key (labels too)."""
    fs = s3fs.S3FileSystem(skip_instance_cache=True, use_listings_cache=False)
    keys = sorted(k for k in fs.find(prefix) if k.endswith(".parquet"))
    logged = [k for k in keys if "/labels/" not in k]
    if not logged:
        return pa.table({"request_id": pa.array([], pa.string())}), keys
    return pa.concat_tables(pq.read_table(fs.open(k, "rb")) for k in logged), keys


def rows(n: int, seed: int, shift: float) -> list[dict[str, Any]]:
    frame = customers(n, seed=seed, shift=shift).drop(columns=["spend"])
    records: list[dict[str, Any]] = frame.to_dict("records")
    return records


def use_uri(repo: Any, uri: str) -> None:
    spec = repo.root / "specs/deployment.yaml"
    spec.write_text(spec.read_text().replace("  requestLog:\n", f"  requestLog:\n    uri: {uri}\n"))
    repo.clone.git("commit", "-qam", "request log on object storage")
    repo.clone.git("push", "-q", "origin", "main")


def test_three_replicas_log_every_acknowledged_row_and_drift_runs_from_the_bucket(
    tmp_path: Path,
    s3_bucket: str,
    github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo = make_repo(tmp_path, retrain=False)
    use_uri(repo, f"{s3_bucket}/requests")
    log_uri = f"{s3_bucket}/requests/deployment={DEPLOYMENT}"
    model = repo.root / "models" / EXPERIMENT
    replicas = [Replica(model, DEPLOYMENT, log_uri) for _ in range(3)]
    acknowledged = 0
    served_ids: list[str] = []
    try:
        for replica in replicas:
            replica.start()
        traffic = rows(600, seed=7, shift=2.0)  # x1 moved by 2 sd: planted drift
        for i in range(0, len(traffic), 3):
            count, request_id = replicas[(i // 3) % 3].predict(traffic[i : i + 3])
            acknowledged += count
            served_ids.append(request_id)
        # a label through one replica's feedback route goes beside the log, in the bucket
        reply = replicas[1].feedback([{"request_id": f"{served_ids[1]}:0", "label": 12.5}])
        assert reply["recorded"] == 1
    finally:
        codes = [replica.stop(signal.SIGTERM) for replica in replicas]
    assert codes == [0, 0, 0] or set(codes) <= {0, -signal.SIGTERM}

    prefix = log_uri.removeprefix("s3://")
    table, keys = bucket_table(prefix)
    logged = [k for k in keys if "/labels/" not in k]
    assert acknowledged == 600
    assert table.num_rows == acknowledged
    assert len(set(table["request_id"].to_pylist())) == acknowledged  # each row once
    assert all(KEY.match(k) for k in logged), logged[:3]
    assert len({KEY.match(k)["replica"] for k in logged}) == 3  # type: ignore[index]
    (label_key,) = [k for k in keys if "/labels/" in k]
    assert re.match(
        rf"^{re.escape(prefix)}/labels/date=[\d-]+/hour=\d\d/[^/]+-000001\.parquet$", label_key
    )
    assert not (repo.root / ".mlops" / "requests").exists()  # nothing local: the bucket alone

    labels_file = tmp_path / "labels.csv"
    labels_file.write_text(
        "request_id,label\n"
        + "".join(f"{rid}:{j},1.0\n" for rid in served_ids[:40] for j in range(3))
    )
    assert main(["-C", str(repo.root), "labels", "import", DEPLOYMENT, str(labels_file)]) == 0
    assert capsys.readouterr().out == (
        f"imported 120 label(s) for {DEPLOYMENT} into {log_uri}/labels\n"
    )

    code = main(["-C", str(repo.root), "drift", "check", DEPLOYMENT, "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    report = json.loads(out)
    assert report["current_rows"] == acknowledged
    assert report["dataset_drift"] is True
    assert report["drifted_columns"] == ["x1"]

    for name, value in github.env().items():
        monkeypatch.setenv(name, value)
    code = main(["-C", str(repo.root), "drift", "pr", DEPLOYMENT])
    out, err = capsys.readouterr()
    assert code == 0, err
    (pr,) = github.open_pulls()
    assert pr["title"] == "Drift on shop-api: 1 of 3 columns drifted"
    # the labelled rows of the window: the bucket's labels joined to the bucket's log
    assert "120 of 600 request(s) in the window have a label" in pr["body"]
    secret = s3_server_secret()
    assert secret not in out + err + pr["body"]


def s3_server_secret() -> str:
    import os

    return os.environ["AWS_SECRET_ACCESS_KEY"]


def test_sigkill_loses_at_most_the_buffer_metrics_reports_and_sigterm_loses_nothing(
    tmp_path: Path, s3_bucket: str
) -> None:
    repo = make_repo(tmp_path, retrain=False)
    model = repo.root / "models" / EXPERIMENT
    killed_log = f"{s3_bucket}/killed"
    with Replica(model, DEPLOYMENT, killed_log, "--log-flush-seconds", "4") as replica:
        first = sum(replica.predict(rows(5, seed=i, shift=0.0))[0] for i in range(20))
        # wait until the first batch is written: nothing buffered
        for _ in range(100):
            text = replica.metrics()
            if metric(text, "mlops_request_log_buffered_records") == 0:
                break
            __import__("time").sleep(0.1)
        assert metric(text, "mlops_request_log_written_records_total") == first == 100
        second = sum(replica.predict(rows(3, seed=50 + i, shift=0.0))[0] for i in range(10))
        buffered = metric(replica.metrics(), "mlops_request_log_buffered_records")
        assert replica.stop(signal.SIGKILL) == -signal.SIGKILL
    table, _ = bucket_table(killed_log.removeprefix("s3://"))
    assert second == 30
    assert buffered == 30  # the metrics said what a kill would lose ...
    assert table.num_rows == first + second - buffered  # ... and that is all it lost

    kept_log = f"{s3_bucket}/terminated"
    with Replica(model, DEPLOYMENT, kept_log, "--log-flush-seconds", "60") as replica:
        sent = sum(replica.predict(rows(4, seed=i, shift=0.0))[0] for i in range(25))
        assert metric(replica.metrics(), "mlops_request_log_buffered_records") == sent == 100
        assert replica.stop(signal.SIGTERM) in (0, -signal.SIGTERM)
    table, _ = bucket_table(kept_log.removeprefix("s3://"))
    assert table.num_rows == sent  # a clean stop writes the buffer
