"""A real HTTPS file server on 127.0.0.1 with a certificate from a throwaway authority (trustme).

It serves fixed bytes per path, answers a redirect where asked, and records every request it
receives (path and headers), so a test proves what was sent, and that nothing was, by the
record. :func:`trust` points Python's default TLS verification at the authority for one test.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import trustme

__all__ = ["FileServer", "Received", "serving_files", "trust"]

HOSTS = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class Received:
    path: str
    headers: Mapping[str, str]


@dataclass
class FileServer:
    port: int
    received: list[Received] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"https://127.0.0.1:{self.port}{path}"


def trust(ca: trustme.CA, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Verify TLS against ``ca`` alone (``SSL_CERT_FILE``) for the rest of the test."""
    bundle = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)


@contextmanager
def serving_files(
    ca: trustme.CA,
    files: Mapping[str, bytes],
    redirects: Mapping[str, str] | None = None,
) -> Iterator[FileServer]:
    """Serve ``files`` (path -> bytes) over HTTPS on a free loopback port; a path in
    ``redirects`` answers 302 to the given location; anything else is 404. Stops on exit."""
    moved = dict(redirects or {})
    server_record = FileServer(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server_record.received.append(Received(self.path, dict(self.headers.items())))
            if self.path in moved:
                self.send_response(302)
                self.send_header("Location", moved[self.path])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = files.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, format: str, *args: object) -> None:
            pass

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*HOSTS).configure_cert(context)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server_record.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_record
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
