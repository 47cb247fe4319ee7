"""Feedback with several workers: a label may reach a worker other than the one that served its
request; that worker finds the id in the shared request log (waiting out the serving worker's
write delay), so every served id is accepted and an id never served is still refused."""

from __future__ import annotations

import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pyarrow.parquet as pq

from tests.serving.models import ROW
from tests.serving.server_argv import serve_argv
from tests.serving.test_metrics_workers import worker_pids
from tests.serving.test_server_process import free_port

REQUESTS = 60


def predict(url: str) -> str:
    response = httpx.post(f"{url}/predict", json={"instances": [ROW]}, timeout=30)
    assert response.status_code == 200
    request_id: str = response.json()["request_id"]
    return request_id


def label(url: str, request_id: str) -> httpx.Response:
    body = {"labels": [{"request_id": request_id, "label": "stay"}]}
    return httpx.post(f"{url}/v2/models/churn/feedback", json=body, timeout=30)


def wait_for_both_workers(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120  # two workers load the model on a shared machine
    while True:
        assert process.poll() is None, "the server exited"
        try:
            if len(worker_pids(httpx.get(f"{url}/metrics").text)) == 2:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the server did not start two workers"
        time.sleep(0.2)


def writers(folder: Path) -> dict[str, str]:
    """request_id -> the process id of the worker whose file holds it (files are named
    ``<host>-<pid>-<token>-<seq>.parquet``)."""
    found = {}
    for path in folder.glob("date=*/hour=*/*.parquet"):
        replica = path.stem.rsplit("-", 3)[1]
        for request_id in pq.read_table(path, columns=["request_id"])[0].to_pylist():
            assert request_id not in found, f"{request_id} written twice"
            found[request_id] = replica
    return found


def test_labels_reaching_another_worker_are_accepted(classifier_dir: Path, tmp_path: Path) -> None:
    log = tmp_path / "log"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen(
            serve_argv(
                classifier_dir,
                port,
                "--workers",
                "2",
                "--request-log",
                str(log),
                "--log-level",
                "warning",
            ),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            text=True,
        )
        try:
            wait_for_both_workers(url, process)
            with ThreadPoolExecutor(4) as pool:  # a new connection each: both workers answer
                ids = list(pool.map(lambda _: predict(url), range(REQUESTS)))
                replies = list(pool.map(lambda i: label(url, i), ids))
            never = label(url, "never-served-anywhere")
        finally:
            process.terminate()
            process.wait(timeout=60)
        stderr.seek(0)
        errors = stderr.read()
    statuses = [reply.status_code for reply in replies]
    assert statuses.count(200) == REQUESTS, [r.text for r in replies if r.status_code != 200]
    assert never.status_code == 400
    assert never.json()["error"] == (
        "labels[0].request_id 'never-served-anywhere' was not served by this deployment in the "
        "last 168 hours; labels are accepted only for requests it answered (a row of a "
        "multi-row request is '<request id>:<row>')"
    )
    served_by = writers(log)
    labelled_by = writers(log / "labels")
    assert sorted(served_by) == sorted(labelled_by) == sorted(ids)
    assert len(set(served_by.values())) == 2  # both workers served requests
    crossed = [i for i in ids if labelled_by[i] != served_by[i]]
    assert crossed, "no label reached the other worker: the test proved nothing"
    assert "Traceback" not in errors
