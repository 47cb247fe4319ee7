"""Benchmark: the request log on object storage (a real S3-protocol server, moto, on 127.0.0.1).

    python benchmarks/storage/bench_storage.py [--rows 1000000] [--requests 1500] [--repeat 3]

1. **Rows acknowledged vs rows in the bucket**: three serving replicas (separate processes, as a
   runtime starts them) write their request logs to ``s3://``; four client threads per replica
   send ``--requests`` requests of 5 rows each; the replicas are stopped with SIGTERM and every
   row in the bucket is counted (read with s3fs, not with the product's reader). Goal: equal.
2. **`mlops drift check` over a window of ``--rows`` rows** in the bucket vs the same files on
   local disk (the same Parquet bytes, 100 files of 10,000 rows spread over the last 24 hours,
   the layout replicas write). Time is `mlops drift check DEPLOYMENT --format json` in this
   process (listing, reading, judging, the report), median of ``--repeat`` runs after one warm-up
   each. Goal: bucket at most 2x local.

Everything runs on 127.0.0.1 and every process started is stopped, on failure too.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.helpers.s3server import S3Server  # noqa: E402
from tests.helpers.shop_project import DEPLOYMENT, EXPERIMENT, customers, write_trained_project  # noqa: E402
from tests.storage.servers import Replica  # noqa: E402

FILES = 100


def acknowledged_vs_stored(server: S3Server, model: Path, requests: int) -> tuple[int, int, int]:
    import pyarrow.parquet as pq
    import s3fs

    bucket = server.create_bucket("bench")
    log = f"s3://{bucket}/requests/deployment={DEPLOYMENT}"
    rows = customers(5 * 200, seed=11).drop(columns=["spend"]).to_dict("records")
    replicas = [Replica(model, DEPLOYMENT, log) for _ in range(3)]
    counts = [0] * 12
    try:
        for replica in replicas:
            replica.start()

        def client(index: int) -> None:
            replica = replicas[index % 3]
            for i in range(requests // 4):
                start = (5 * (i + index)) % (len(rows) - 5)
                counts[index] += replica.predict(rows[start : start + 5])[0]

        threads = [threading.Thread(target=client, args=(i,)) for i in range(12)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
    finally:
        for replica in replicas:
            replica.stop(signal.SIGTERM)
    fs = s3fs.S3FileSystem(skip_instance_cache=True, use_listings_cache=False)
    keys = [k for k in fs.find(log.removeprefix("s3://")) if k.endswith(".parquet")]
    stored = sum(pq.read_metadata(fs.open(k, "rb")).num_rows for k in keys)
    print(
        f"load: {sum(counts)} rows in {elapsed:.1f} s ({sum(counts) / elapsed:.0f} rows/s) "
        f"through 3 replicas, {len(keys)} files"
    )
    return sum(counts), stored, len(keys)


def write_window(root: Path, rows: int, now: datetime) -> list[tuple[str, bytes]]:
    """``rows`` served rows as ``FILES`` Parquet files over the last 24 hours: (name, bytes)."""
    import numpy as np
    import pyarrow as pa

    from mlops_gitops.requestlog.files import parquet_bytes
    from mlops_gitops.requestlog.layout import file_name, partition

    per_file = rows // FILES
    frame = customers(per_file, seed=5, shift=0.5).drop(columns=["spend"])
    files = []
    for index in range(FILES):
        moment = now - timedelta(hours=24) + timedelta(seconds=index * 86_000 / FILES)
        stamps = [moment + timedelta(milliseconds=i) for i in range(per_file)]
        table = pa.table(
            {
                "request_id": pa.array([f"r{index}-{i}" for i in range(per_file)], pa.string()),
                "timestamp": pa.array(stamps, pa.timestamp("us", tz="UTC")),
                "model_version": pa.array(["v1"] * per_file, pa.string()),
                "x1": pa.array(frame["x1"].to_numpy(), pa.float64()),
                "x2": pa.array(frame["x2"].to_numpy(), pa.float64()),
                "plan": pa.array(frame["plan"].to_numpy(), pa.string()),
                "prediction": pa.array(np.zeros(per_file), pa.float64()),
            }
        )
        name = f"{partition(moment)}/{file_name(f'bench-{index % 3}', index + 1)}"
        files.append((name, parquet_bytes(table)))
    return files


def time_check(root: Path, repeat: int) -> tuple[float, int]:
    from mlops_gitops.cli import main

    times = []
    rows = 0
    for attempt in range(repeat + 1):
        out = io.StringIO()
        began = time.perf_counter()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = main(["-C", str(root), "drift", "check", DEPLOYMENT, "--format", "json"])
        elapsed = time.perf_counter() - began
        if code != 0:
            raise SystemExit(f"drift check failed with {code}")
        rows = json.loads(out.getvalue())["current_rows"]
        if attempt:  # the first run warms the imports
            times.append(elapsed)
    return statistics.median(times), rows


def use_uri(root: Path, uri: str) -> None:
    spec = root / "specs/deployment.yaml"
    text = spec.read_text().split("  requestLog:\n")
    spec.write_text(f"{text[0]}  requestLog:\n    uri: {uri}\n{text[1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=1500, help="per replica")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-storage-") as scratch, S3Server() as server:
        os.environ.update(server.environment())
        work = Path(scratch)
        local, remote = work / "local", work / "s3"
        for root in (local, remote):
            root.mkdir()
            write_trained_project(root)
        model = local / "models" / EXPERIMENT

        acked, stored, _ = acknowledged_vs_stored(server, model, args.requests)
        print(f"rows acknowledged: {acked}")
        print(f"rows in the bucket: {stored}")
        print(f"ratio stored/acknowledged: {stored / acked:.4f} (goal 1.0000)")

        from mlops_gitops.io.storage import location

        now = datetime.now(UTC)
        files = write_window(local, args.rows, now)
        bucket = server.create_bucket("window")
        use_uri(local, ".mlops/requests")
        use_uri(remote, f"s3://{bucket}/requests")
        size = sum(len(data) for _, data in files)
        for uri in (str(local / ".mlops/requests"), f"s3://{bucket}/requests"):
            folder = location(uri).child(f"deployment={DEPLOYMENT}")
            began = time.perf_counter()
            for name, data in files:
                folder.write_bytes(name, data)
            print(f"wrote {len(files)} files to {folder} in {time.perf_counter() - began:.1f} s")
        print(f"window: {args.rows} rows in {len(files)} files, {size / 1e6:.1f} MB")
        local_time, local_rows = time_check(local, args.repeat)
        s3_time, s3_rows = time_check(remote, args.repeat)
        assert local_rows == s3_rows == args.rows // FILES * FILES, (local_rows, s3_rows)
        print(f"drift check, local disk: {local_time:.2f} s (median of {args.repeat})")
        print(f"drift check, S3 bucket:  {s3_time:.2f} s (median of {args.repeat})")
        print(f"ratio bucket/local: {s3_time / local_time:.2f}x (goal <= 2x)")


if __name__ == "__main__":
    main()
