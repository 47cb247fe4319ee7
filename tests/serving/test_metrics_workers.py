"""/metrics with several uvicorn workers: every scrape, whichever worker answers it, gives the
same totals (prometheus-client's multiprocess mode), with process metrics for each worker."""

from __future__ import annotations

import re
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from tests.helpers.ports import free_port
from tests.helpers.server_process import wait_ready
from tests.serving.models import ROW
from tests.serving.server_argv import serve_argv

REQUESTS = 12
SCRAPES = 12


def sample(text: str, name: str) -> float:
    [line] = [line for line in text.splitlines() if line.startswith(name + " ")]
    return float(line.split()[-1])


def metric_dirs() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("mlops-metrics-*"))


def test_every_scrape_sums_every_worker(classifier_dir: Path) -> None:
    before_dirs = metric_dirs()
    port = free_port()
    process = subprocess.Popen(
        serve_argv(
            classifier_dir, port, "--workers", "2", "--no-request-log", "--log-level", "warning"
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, process)
        deadline = time.monotonic() + 60
        while len(worker_pids(httpx.get(f"{url}/metrics").text)) < 2:  # both workers started
            assert time.monotonic() < deadline, "the second worker did not start"
            time.sleep(0.2)
        during_dirs = metric_dirs() - before_dirs
        for _ in range(REQUESTS):  # a new connection each: the workers share them out
            response = httpx.post(f"{url}/predict", json={"instances": [ROW, ROW]})
            assert response.status_code == 200
        scrapes = [httpx.get(f"{url}/metrics").text for _ in range(SCRAPES)]
    finally:
        process.terminate()
        process.wait(timeout=60)
    rows = [sample(text, "mlops_predicted_rows_total") for text in scrapes]
    assert rows == [2.0 * REQUESTS] * SCRAPES
    ok = 'mlops_http_requests_total{method="POST",path="/predict",status="200"}'
    assert {sample(text, ok) for text in scrapes} == {float(REQUESTS)}
    assert {
        sample(
            text,
            'mlops_model_info{backend="sklearn",name="churn",version="'
            + version(scrapes[0])
            + '"}',
        )
        for text in scrapes
    } == {1.0}
    pids = {worker_pids(text) for text in scrapes}
    assert len(pids) == 1 and len(next(iter(pids))) == 2  # both workers, in every scrape
    assert len(during_dirs) == 1
    assert metric_dirs() - before_dirs == set()  # removed when the server stopped


def worker_pids(text: str) -> frozenset[str]:
    return frozenset(re.findall(r'process_resident_memory_bytes\{pid="(\d+)"\}', text))


def version(text: str) -> str:
    match = re.search(
        r'mlops_model_info\{backend="sklearn",name="churn",version="([0-9a-f]+)"\}', text
    )
    assert match
    return match.group(1)
