"""A fake container registry: a real HTTP server on 127.0.0.1 speaking enough of the OCI
Distribution (Docker Registry HTTP API V2) for ``docker push`` to succeed, with in-memory state.

Use it as a context manager (or through a pytest fixture)::

    with FakeRegistry(username="ci", password="s3cret") as registry:
        spec_registry = f"{registry.host}/team"  # 127.0.0.1:<port>/team
        ...  # the Docker daemon pushes to it (127.0.0.0/8 is an insecure registry by default)
        manifest = registry.manifest("team/lin-api", "0123456789abcdef")
        assert all(r.authorization == registry.basic_auth for r in registry.requests[1:])

Endpoints: ``GET /v2/``; ``HEAD/GET /v2/<name>/blobs/<digest>``; uploads with
``POST /v2/<name>/blobs/uploads/`` (also ``?digest=`` monolithic and ``?mount=&from=``, which is
answered as a fresh upload), ``PATCH`` chunks (``Transfer-Encoding: chunked`` or
``Content-Length``), ``PUT ...?digest=`` (the sha256 of everything received must match) and
``GET`` of an upload's status; ``HEAD/GET/PUT /v2/<name>/manifests/<tag-or-digest>``. A manifest
whose config or layers were never uploaded to that repository is refused with
``MANIFEST_BLOB_UNKNOWN``, like a real registry. Errors use the registry's
``{"errors": [{"code", "message"}]}`` shape.

When ``username``/``password`` are given, every request without the matching
``Authorization: Basic`` header gets 401 with ``WWW-Authenticate: Basic realm="fake"``.
Each request is recorded (method, path, query, Authorization header, status) in
:attr:`FakeRegistry.requests`. A connection that opens with a TLS handshake (Docker tries HTTPS
before plain HTTP) is closed at once and counted in :attr:`FakeRegistry.tls_attempts`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import socket
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["FakeRegistry", "RecordedRequest", "StoredManifest"]

_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_NAME = r"(?P<name>[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)"
_ROUTES: list[tuple[str, re.Pattern[str]]] = [
    ("base", re.compile(r"/v2/?")),
    ("uploads", re.compile(rf"/v2/{_NAME}/blobs/uploads/?")),
    ("upload", re.compile(rf"/v2/{_NAME}/blobs/uploads/(?P<uuid>[0-9a-f-]+)")),
    ("blob", re.compile(rf"/v2/{_NAME}/blobs/(?P<digest>[^/]+)")),
    ("manifest", re.compile(rf"/v2/{_NAME}/manifests/(?P<reference>[^/]+)")),
]
_MANIFEST_TYPES = {
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
}


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    authorization: str | None
    status: int
    body_size: int


@dataclass(frozen=True)
class StoredManifest:
    digest: str
    media_type: str
    data: bytes

    def json(self) -> Any:
        return json.loads(self.data)


@dataclass
class _Upload:
    name: str
    data: bytearray = field(default_factory=bytearray)


@dataclass
class _State:
    blobs: dict[str, bytes] = field(default_factory=dict)  # digest -> content (all repositories)
    repo_blobs: dict[str, set[str]] = field(default_factory=dict)  # repository -> digests
    manifests: dict[str, dict[str, StoredManifest]] = field(default_factory=dict)  # by digest
    tags: dict[str, dict[str, str]] = field(default_factory=dict)  # repository -> tag -> digest
    uploads: dict[str, _Upload] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    tls_attempts: int = 0


class _RegistryError(Exception):
    def __init__(self, status: int, code: str, message: str, **headers: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.headers = dict(headers)


Response = tuple[int, bytes, dict[str, str]]


def _sha256(data: bytes | bytearray) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class FakeRegistry:
    """A registry served on ``self.url`` (``self.host`` is ``127.0.0.1:<port>``) until
    :meth:`close`."""

    def __init__(self, *, username: str | None = None, password: str | None = None) -> None:
        if (username is None) != (password is None):
            raise ValueError("give both username and password, or neither")
        self.username = username
        self.password = password
        self._state = _State()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        host, port = self._server.server_address[:2]
        self.host = f"{host!s}:{port}"
        self.url = f"http://{self.host}"

    # lifecycle -----------------------------------------------------------------------------------

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeRegistry:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # state, read by tests ------------------------------------------------------------------------

    @property
    def basic_auth(self) -> str | None:
        """The ``Authorization`` header value a client with the right credentials sends."""
        if self.username is None or self.password is None:
            return None
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return f"Basic {token}"

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every HTTP request received, in order (a copy)."""
        with self._lock:
            return list(self._state.requests)

    @property
    def tls_attempts(self) -> int:
        """Connections closed because they opened with a TLS handshake."""
        with self._lock:
            return self._state.tls_attempts

    def repositories(self) -> list[str]:
        """Repositories holding at least one tag, sorted."""
        with self._lock:
            return sorted(name for name, tags in self._state.tags.items() if tags)

    def tags(self, name: str) -> dict[str, str]:
        """Tag -> manifest digest in repository ``name`` (a copy)."""
        with self._lock:
            return dict(self._state.tags.get(name, {}))

    def manifest(self, name: str, reference: str) -> StoredManifest | None:
        """The manifest a tag or digest names in repository ``name``, if any."""
        with self._lock:
            return self._find_manifest(name, reference)

    def blob(self, digest: str) -> bytes | None:
        with self._lock:
            return self._state.blobs.get(digest)

    def blob_digests(self, name: str) -> set[str]:
        """Digests of the blobs uploaded to (or mounted into) repository ``name``."""
        with self._lock:
            return set(self._state.repo_blobs.get(name, set()))

    # request handling (server threads) ------------------------------------------------------------

    def _record_tls_attempt(self) -> None:
        with self._lock:
            self._state.tls_attempts += 1

    def _handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Response:
        parts = urlsplit(raw_path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        with self._lock:
            try:
                self._check_auth(headers)
                status, payload, extra = self._route(method, parts.path, query, headers, body)
            except _RegistryError as error:
                document = {"errors": [{"code": error.code, "message": str(error), "detail": {}}]}
                status, payload = error.status, json.dumps(document).encode()
                extra = {"Content-Type": "application/json", **error.headers}
            self._state.requests.append(
                RecordedRequest(
                    method, parts.path, query, headers.get("authorization"), status, len(body)
                )
            )
        return status, payload, extra

    def _check_auth(self, headers: dict[str, str]) -> None:
        expected = self.basic_auth
        if expected is not None and headers.get("authorization") != expected:
            raise _RegistryError(
                401,
                "UNAUTHORIZED",
                "authentication required",
                **{"WWW-Authenticate": 'Basic realm="fake"'},
            )

    def _route(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> Response:
        for kind, pattern in _ROUTES:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            groups = match.groupdict()
            if kind == "base" and method in ("GET", "HEAD"):
                return 200, b"{}", {"Content-Type": "application/json"}
            if kind == "uploads" and method == "POST":
                return self._start_upload(groups["name"], query, body)
            if kind == "upload" and method in ("PATCH", "PUT", "GET"):
                upload = self._upload(groups["name"], groups["uuid"])
                if method == "PATCH":
                    upload.data += body
                    return self._upload_status(groups["uuid"], upload, 202)
                if method == "GET":
                    return self._upload_status(groups["uuid"], upload, 204)
                return self._finish_upload(groups["uuid"], upload, query, body)
            if kind == "blob" and method in ("HEAD", "GET"):
                return self._get_blob(groups["name"], groups["digest"], method)
            if kind == "manifest" and method in ("HEAD", "GET"):
                return self._get_manifest(groups["name"], groups["reference"], method)
            if kind == "manifest" and method == "PUT":
                content_type = headers.get("content-type", "").split(";")[0].strip()
                return self._put_manifest(groups["name"], groups["reference"], content_type, body)
            raise _RegistryError(405, "UNSUPPORTED", f"{method} {path} is not supported")
        raise _RegistryError(404, "NAME_INVALID", f"no route for {path}")

    # blobs ---------------------------------------------------------------------------------------

    def _start_upload(self, name: str, query: dict[str, str], body: bytes) -> Response:
        # ``?mount=<digest>&from=<repo>`` is answered as a fresh upload (allowed by the spec).
        upload_id = str(uuid.uuid4())
        upload = _Upload(name, bytearray(body))
        if "digest" in query:  # monolithic: POST ?digest= with the whole blob
            return self._finish_upload(upload_id, upload, query, b"")
        self._state.uploads[upload_id] = upload
        return self._upload_status(upload_id, upload, 202)

    def _upload(self, name: str, upload_id: str) -> _Upload:
        upload = self._state.uploads.get(upload_id)
        if upload is None or upload.name != name:
            raise _RegistryError(404, "BLOB_UPLOAD_UNKNOWN", f"no upload {upload_id} in {name}")
        return upload

    def _upload_status(self, upload_id: str, upload: _Upload, status: int) -> Response:
        end = max(len(upload.data) - 1, 0)
        return (
            status,
            b"",
            {
                "Location": f"/v2/{upload.name}/blobs/uploads/{upload_id}",
                "Docker-Upload-UUID": upload_id,
                "Range": f"0-{end}",
            },
        )

    def _finish_upload(
        self, upload_id: str, upload: _Upload, query: dict[str, str], body: bytes
    ) -> Response:
        digest = query.get("digest", "")
        if not _DIGEST.fullmatch(digest):
            raise _RegistryError(400, "DIGEST_INVALID", f"unsupported digest {digest!r}")
        data = bytes(upload.data + body)
        actual = _sha256(data)
        if actual != digest:
            self._state.uploads.pop(upload_id, None)
            raise _RegistryError(
                400, "DIGEST_INVALID", f"received {len(data)} bytes with {actual}, not {digest}"
            )
        self._state.uploads.pop(upload_id, None)
        self._state.blobs[digest] = data
        self._state.repo_blobs.setdefault(upload.name, set()).add(digest)
        return (
            201,
            b"",
            {"Location": f"/v2/{upload.name}/blobs/{digest}", "Docker-Content-Digest": digest},
        )

    def _get_blob(self, name: str, digest: str, method: str) -> Response:
        if digest not in self._state.repo_blobs.get(name, set()):
            raise _RegistryError(404, "BLOB_UNKNOWN", f"blob {digest} unknown to {name}")
        data = self._state.blobs[digest]
        headers = {"Content-Type": "application/octet-stream", "Docker-Content-Digest": digest}
        if method == "HEAD":
            headers["Content-Length"] = str(len(data))
            return 200, b"", headers
        return 200, data, headers

    # manifests -----------------------------------------------------------------------------------

    def _find_manifest(self, name: str, reference: str) -> StoredManifest | None:
        digest = self._state.tags.get(name, {}).get(reference, reference)
        return self._state.manifests.get(name, {}).get(digest)

    def _get_manifest(self, name: str, reference: str, method: str) -> Response:
        manifest = self._find_manifest(name, reference)
        if manifest is None:
            raise _RegistryError(404, "MANIFEST_UNKNOWN", f"manifest {reference} unknown to {name}")
        headers = {"Content-Type": manifest.media_type, "Docker-Content-Digest": manifest.digest}
        if method == "HEAD":
            headers["Content-Length"] = str(len(manifest.data))
            return 200, b"", headers
        return 200, manifest.data, headers

    def _put_manifest(self, name: str, reference: str, content_type: str, body: bytes) -> Response:
        try:
            document = json.loads(body)
        except ValueError:
            raise _RegistryError(400, "MANIFEST_INVALID", "the manifest is not JSON") from None
        media_type = content_type or str(document.get("mediaType", ""))
        if media_type not in _MANIFEST_TYPES:
            raise _RegistryError(400, "MANIFEST_INVALID", f"unsupported type {media_type!r}")
        digest = _sha256(body)
        if _DIGEST.fullmatch(reference) and reference != digest:
            raise _RegistryError(400, "DIGEST_INVALID", f"the manifest's digest is {digest}")
        referenced = [document.get("config", {}), *document.get("layers", [])]
        known = self._state.repo_blobs.get(name, set())
        for descriptor in referenced:
            if descriptor and descriptor.get("digest") not in known:
                raise _RegistryError(
                    400, "MANIFEST_BLOB_UNKNOWN", f"blob {descriptor.get('digest')} unknown"
                )
        stored = StoredManifest(digest, media_type, body)
        self._state.manifests.setdefault(name, {})[digest] = stored
        if not _DIGEST.fullmatch(reference):
            self._state.tags.setdefault(name, {})[reference] = digest
        return (
            201,
            b"",
            {"Location": f"/v2/{name}/manifests/{digest}", "Docker-Content-Digest": digest},
        )


def _read_chunked(rfile: Any) -> bytes:
    data = bytearray()
    while True:
        size_line = rfile.readline(65537)
        if not size_line:
            raise ConnectionError("the client closed the connection inside a chunked body")
        size = int(size_line.split(b";")[0].strip(), 16)
        if size == 0:
            while rfile.readline(65537).strip():  # trailers, then the final blank line
                pass
            return bytes(data)
        data += rfile.read(size)
        rfile.readline(65537)  # the CRLF after each chunk


def _handler_for(registry: FakeRegistry) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like a real registry

        def handle(self) -> None:
            # Docker tries https:// first, even for an insecure registry: close such a connection
            # at once (instead of waiting for a request line that never comes) so it falls back.
            try:
                first = self.connection.recv(1, socket.MSG_PEEK)
            except OSError:
                return
            if first == b"\x16":  # a TLS handshake record
                registry._record_tls_attempt()
                self.close_connection = True
                return
            super().handle()

        def _body(self) -> bytes:
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                return _read_chunked(self.rfile)
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _serve(self) -> None:
            body = self._body()  # always read, so the connection stays in step
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, payload, extra = registry._handle(self.command, self.path, headers, body)
            self.send_response(status)
            self.send_header("Docker-Distribution-API-Version", "registry/2.0")
            for name, value in extra.items():
                self.send_header(name, value)
            if "Content-Length" not in extra:
                self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD" and payload:
                self.wfile.write(payload)

        do_GET = do_HEAD = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
