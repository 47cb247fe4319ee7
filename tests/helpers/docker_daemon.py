"""A Docker daemon that answers but refuses: a real HTTP server on a unix socket.

``/_ping`` and ``/version`` answer as a daemon does, so a client connects; every other request
gets a 500 with Docker's error shape (``{"message": ...}``), as a daemon in trouble answers::

    with RefusingDockerDaemon(tmp_path / "docker.sock", "disk full") as daemon:
        env = {"DOCKER_HOST": daemon.url}
        ...  # the code under test talks to it with the Docker SDK
        assert "/containers/json" in daemon.paths[-1]
"""

from __future__ import annotations

import json
import socketserver
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["RefusingDockerDaemon"]

API_VERSION = "1.41"


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    refusal = ""
    paths: list[str]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _answer(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        path = self.path.split("?", 1)[0]
        self.server.paths.append(path)
        if path.endswith("/_ping"):
            self._answer(200, b"OK", "text/plain")
        elif path.endswith("/version"):
            version = {"ApiVersion": API_VERSION, "MinAPIVersion": "1.12", "Version": "fake"}
            self._answer(200, json.dumps(version).encode(), "application/json")
        else:
            body = json.dumps({"message": self.server.refusal}).encode()
            self._answer(500, body, "application/json")

    do_GET = do_POST = do_DELETE = do_HEAD = _handle

    def address_string(self) -> str:
        return "unix"  # a unix socket's peer has no address

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the test reads ``paths`` instead


class RefusingDockerDaemon:
    """Serves on ``socket_path`` until closed; ``paths`` lists the requests' paths."""

    def __init__(self, socket_path: Path, refusal: str) -> None:
        self.socket_path = socket_path
        self.refusal = refusal
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    @property
    def paths(self) -> list[str]:
        assert self._server is not None, "the daemon is not running"
        return list(self._server.paths)

    def __enter__(self) -> RefusingDockerDaemon:
        server = _Server(str(self.socket_path), _Handler)
        server.refusal = self.refusal
        server.paths = []
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        self.socket_path.unlink(missing_ok=True)
