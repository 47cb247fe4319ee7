"""Batch uploads are limited after decompression: a row limit and a decoded-size limit, each a
413 naming the limit. The Parquet bomb (3M rows in a ~100 KB zstd file) is refused from its footer
by a real server process whose memory (VmRSS from /proc) stays within a stated bound."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import httpx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mlops_gitops.serving.app import create_app
from mlops_gitops.serving.upload_limits import UploadLimits
from tests.helpers.asgi_server import running
from tests.helpers.ports import free_port
from tests.helpers.server_process import wait_ready
from tests.serving.server_argv import serve_argv

PARQUET = {"content-type": "application/vnd.apache.parquet"}
CSV = {"content-type": "text/csv"}
RSS_BOUND_MB = 40
"""How much the server's resident memory may grow while refusing the bomb."""


def parquet_rows(rows: int, *, city: str = "oslo", row_group: int = 1_000_000) -> bytes:
    table = pa.table(
        {
            "age": pa.array([30] * rows, pa.int64()),
            "income": pa.array([1.0] * rows, pa.float64()),
            "city": pa.array([city] * rows, pa.string()),
            "member": pa.array([True] * rows, pa.bool_()),
        }
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd", row_group_size=row_group)
    return buffer.getvalue()


def csv_rows(rows: int) -> bytes:
    return b"age,income,city,member\n" + b"30,1.0,oslo,true\n" * rows


@pytest.fixture(scope="module")
def bomb() -> bytes:
    data = parquet_rows(3_000_000)
    assert len(data) < 200_000  # the compressed body passes any body limit
    return data


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_the_parquet_bomb_is_refused_and_the_server_stays_small(
    classifier_dir: Path, bomb: bytes
) -> None:
    port = free_port()
    process = subprocess.Popen(
        serve_argv(classifier_dir, port, "--no-request-log", "--log-level", "warning"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, process)
        with httpx.Client(timeout=60) as client:
            warm = client.post(f"{url}/predict/batch", content=parquet_rows(1000), headers=PARQUET)
            assert warm.status_code == 200
            before = rss_kb(process.pid)
            responses = [
                client.post(f"{url}/predict/batch", content=bomb, headers=PARQUET),
                client.post(
                    f"{url}/predict/batch",
                    files={"file": ("bomb.parquet", bomb, "application/vnd.apache.parquet")},
                ),
            ]
            after = rss_kb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
    for response in responses:
        assert response.status_code == 413
        assert response.json()["error"] == (
            "the upload holds 3,000,000 rows; the limit is 100,000 rows per request "
            "(--max-batch-rows)"
        )
        assert len(response.content) < 1000
    grown_mb = (after - before) / 1024
    print(f"server RSS grew by {grown_mb:.1f} MB refusing two bombs")
    assert grown_mb < RSS_BOUND_MB, f"server memory grew by {grown_mb:.0f} MB"


@pytest.fixture(scope="module")
def small_limits_url(classifier_dir: Path) -> object:
    limits = UploadLimits(max_rows=1_000, max_decoded_bytes=200_000)
    app = create_app(classifier_dir, name="churn", request_log=None, upload_limits=limits)
    with running(app) as url:
        yield url


@pytest.mark.parametrize(
    ("body", "headers", "status", "error"),
    [
        (csv_rows(1_000), CSV, 200, None),
        (
            csv_rows(1_001),
            CSV,
            413,
            "the upload holds more than 1,000 rows; the limit is 1,000 rows per request "
            "(--max-batch-rows)",
        ),
        (parquet_rows(1_000), PARQUET, 200, None),
        (
            parquet_rows(1_001),
            PARQUET,
            413,
            "the upload holds 1,001 rows; the limit is 1,000 rows per request (--max-batch-rows)",
        ),
        (
            # few rows, each with a long text: the decoded-size limit, from the footer
            parquet_rows(500, city="oslo" * 200),
            PARQUET,
            413,
            "the upload decodes to more than 200,000 bytes; the limit is 200,000 decoded bytes "
            "per request (--max-decoded-bytes)",
        ),
        (
            b"age,income,city,member\n" + b"30,1.0," + b"o" * 250_000 + b",true\n",
            CSV,
            413,
            "the upload decodes to more than 200,000 bytes; the limit is 200,000 decoded bytes "
            "per request (--max-decoded-bytes)",
        ),
        (b"PAR1garbage", PARQUET, 400, None),
    ],
    ids=[
        "csv-at-limit",
        "csv-over",
        "parquet-at-limit",
        "parquet-over",
        "parquet-wide",
        "csv-wide",
        "parquet-garbage",
    ],
)
def test_limits_after_decoding(
    small_limits_url: str, body: bytes, headers: dict[str, str], status: int, error: str | None
) -> None:
    response = httpx.post(f"{small_limits_url}/predict/batch", content=body, headers=headers)
    assert response.status_code == status, response.text
    if error is not None:
        assert response.json()["error"] == error
    if status == 200:
        assert len(response.json()["predictions"]) == 1_000
