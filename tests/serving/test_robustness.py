"""The server process under hostile clients: half-sent headers (slowloris) and idle kept-alive
connections are closed on time; a 405 says which methods are allowed."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers.ports import free_port
from tests.helpers.server_process import wait_ready
from tests.serving.server_argv import serve_argv

HALF_OPEN = 200


@pytest.fixture(scope="module")
def server(classifier_dir: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        serve_argv(
            classifier_dir,
            port,
            "--no-request-log",
            "--timeout-headers",
            "1",
            "--timeout-keep-alive",
            "1",
            "--log-level",
            "warning",
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=5)
    return sock


def read_ready(sock: socket.socket) -> bytes:
    """One whole response to GET /v2/health/ready (its parts may arrive in several reads)."""
    sock.settimeout(5)
    data = b""
    while not data.endswith(b'{"ready":true}'):
        chunk = sock.recv(1024)
        assert chunk, f"closed after {data!r}"
        data += chunk
    return data


def closed_by_server(sock: socket.socket) -> bool:
    """The server closed the connection (EOF), rather than leaving it open."""
    sock.settimeout(3)
    try:
        return sock.recv(1024) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def test_half_sent_headers_are_cut_off(server: str) -> None:
    sockets = [connect(server) for _ in range(HALF_OPEN)]
    try:
        for sock in sockets:
            sock.sendall(b"GET /v2/health/ready HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        time.sleep(2)
        closed = sum(closed_by_server(sock) for sock in sockets)
    finally:
        for sock in sockets:
            sock.close()
    assert closed == HALF_OPEN
    assert httpx.get(f"{server}/v2/health/ready").status_code == 200


def test_a_silent_connection_is_cut_off(server: str) -> None:
    with connect(server) as sock:
        time.sleep(1.5)
        assert closed_by_server(sock)


def test_headers_sent_slowly_but_in_time_are_served(server: str) -> None:
    with connect(server) as sock:
        for part in (b"GET /v2/health/ready HTTP/1.1\r\n", b"Host: x\r\n", b"\r\n"):
            sock.sendall(part)
            time.sleep(0.2)
        assert read_ready(sock).startswith(b"HTTP/1.1 200 OK")


def test_an_idle_kept_alive_connection_is_closed_and_the_next_request_gets_its_own_deadline(
    server: str,
) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET /v2/health/ready HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_ready(sock).startswith(b"HTTP/1.1 200 OK")
        sock.sendall(b"GET /v2/health/ready HTTP/1.1\r\nHost: x\r\n")  # never finished
        assert closed_by_server(sock)
    with connect(server) as sock:
        sock.sendall(b"GET /v2/health/ready HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_ready(sock).startswith(b"HTTP/1.1 200 OK")
        assert closed_by_server(sock)  # idle: the keep-alive timeout (1 s)


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("GET", "/predict", "POST"),
        ("PUT", "/predict/batch", "POST"),
        ("DELETE", "/v2/models/churn/infer", "POST"),
        ("POST", "/v2/health/ready", "GET"),
        ("PATCH", "/metrics", "GET"),
    ],
)
def test_405_says_which_methods_are_allowed(
    server: str, method: str, path: str, allow: str
) -> None:
    response = httpx.request(method, f"{server}{path}")
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert response.json()["error"] == "Method Not Allowed"


@pytest.mark.parametrize(
    ("path", "body", "error"),
    [
        (
            "/v2/models/churn/infer",
            {"inputs": [{"name": "age", "shape": [0], "datatype": {}, "data": [None, None]}]},
            "input 'age': 'datatype' must be one of BOOL, BYTES, FP16, FP32, FP64, INT16, "
            "INT32, INT64, INT8, UINT16, UINT32, UINT64, UINT8",
        ),
        (
            "/predict",
            {"instances": [{"age": 1}], "x-unknown": 42},
            "unknown field(s) 'x-unknown' next to 'instances'; the body holds only 'instances' "
            "or 'dataframe_split'",
        ),
        (
            "/predict",
            {"dataframe_split": {"columns": ["age"], "data": [[1]], "index": [0]}},
            "unknown field(s) 'index' in 'dataframe_split'; it holds 'columns' and 'data'",
        ),
    ],
    ids=["datatype-object", "predict-extra-field", "split-extra-field"],
)
def test_requests_schemathesis_found_get_a_400(
    server: str, path: str, body: object, error: str
) -> None:
    response = httpx.post(f"{server}{path}", json=body)
    assert response.status_code == 400
    assert response.json()["error"] == error


def test_the_openapi_schema_lists_only_statuses_the_server_sends(server: str) -> None:
    paths = httpx.get(f"{server}/openapi.json").json()["paths"]
    statuses = {code for ops in paths.values() for op in ops.values() for code in op["responses"]}
    assert "422" not in statuses
