"""Outbound fetches from specs: internal addresses are refused at validate time (literal
addresses) and at fetch time (after DNS, on every redirect). Listeners on 127.0.0.1 record every
request they receive, so "refused" is proven by an empty record, not by an error message alone."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mlops_gitops.errors import StageError
from mlops_gitops.io.outbound import ALLOW_ENV, OutboundRefused
from mlops_gitops.specs.build import build_spec
from mlops_gitops.specs.models import Dataset, Source
from mlops_gitops.stages.ingest import read_source
from tests.helpers.spec_files import DATASET, errors, valid_project

CSV = b"rooms,area,price\n1,2.5,3.0\n2,3.5,4.0\n"


class Listener:
    """An HTTP server on 127.0.0.1 that records each request path; ``redirect`` sends a 302."""

    def __init__(self, redirect: str | None = None) -> None:
        self.paths: list[str] = []
        record = self.paths

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                record.append(self.path)
                if redirect is not None:
                    self.send_response(302)
                    self.send_header("Location", redirect)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(CSV)))
                self.end_headers()
                self.wfile.write(CSV)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]


@contextmanager
def listening(redirect: str | None = None) -> Iterator[Listener]:
    listener = Listener(redirect)
    thread = threading.Thread(target=listener.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield listener
    finally:
        listener.server.shutdown()
        listener.server.server_close()
        thread.join(timeout=10)


def url_dataset(url: str, *, allow_http: bool = True) -> Dataset:
    source: dict[str, object] = {"url": url, "format": "csv"}
    if allow_http:
        source["allowHttp"] = True
    spec = {
        "source": source,
        "target": "price",
        "columns": {"rooms": {"type": "integer"}, "area": {"type": "number"}},
    }
    dataset = build_spec("Dataset", {"metadata": {"name": "houses"}, "spec": spec}, Source("t"))
    assert isinstance(dataset, Dataset)
    return dataset


def with_source(*lines: str) -> str:
    return DATASET.replace("path: data/houses.csv", "\n    ".join(lines))


@pytest.fixture(autouse=True)
def no_allow_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOW_ENV, raising=False)


# ------------------------------------------------------------------------ validate time


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (
            "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
            "169.254.169.254 is a link-local address (where cloud metadata services answer)",
        ),
        ("http://127.0.0.1:2375/containers/json", "127.0.0.1 is a loopback address (this machine)"),
        ("https://10.1.2.3/data.csv", "10.1.2.3 is a private address (an internal network)"),
        ("https://192.168.0.10/d.csv", "192.168.0.10 is a private address (an internal network)"),
        ("https://[::1]:8080/d.csv", "::1 is a loopback address (this machine)"),
        (
            "https://[::ffff:169.254.169.254]/",
            "169.254.169.254 is a link-local address (where cloud metadata services answer)",
        ),
        ("https://224.0.0.251/d.csv", "224.0.0.251 is a multicast address"),
        ("https://0.0.0.0/d.csv", "0.0.0.0 is the unspecified address (this machine)"),
        (
            "https://100.100.1.2/d.csv",
            "100.100.1.2 is a shared (carrier-grade NAT) address",
        ),
        ("https://localhost:9000/d.csv", "localhost names this machine (loopback)"),
        ("https://metadata.localhost/d.csv", "metadata.localhost names this machine (loopback)"),
    ],
)
def test_validate_refuses_internal_literal_addresses(project: Path, url: str, reason: str) -> None:
    valid_project(
        project, **{"specs/dataset.yaml": with_source(f"url: '{url}'", "allowHttp: true")}
    )
    assert errors(project) == [
        f"specs/dataset.yaml:7:10: spec.source.url: the url is not fetched: {reason}; a pipeline "
        "that runs on pull requests must not reach internal addresses (list a trusted server in "
        "MLOPS_OUTBOUND_ALLOW)"
    ]


def test_validate_refuses_plain_http_unless_the_source_opts_out(project: Path) -> None:
    dataset = DATASET.replace("path: data/houses.csv", "url: http://data.example.com/h.csv")
    valid_project(project, **{"specs/dataset.yaml": dataset})
    assert errors(project) == [
        "specs/dataset.yaml:7:10: spec.source.url: the url is not fetched: plain http is "
        "refused; use https://, or set source.allowHttp: true for a source you trust; a pipeline "
        "that runs on pull requests must not reach internal addresses (list a trusted server in "
        "MLOPS_OUTBOUND_ALLOW)"
    ]
    opted = dataset.replace("h.csv", "h.csv\n    allowHttp: true")
    valid_project(project, **{"specs/dataset.yaml": opted})
    assert errors(project) == []


def test_the_allow_list_admits_a_named_internal_server(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    valid_project(project, **{"specs/dataset.yaml": with_source("url: https://10.20.1.5/d.csv")})
    assert len(errors(project)) == 1
    monkeypatch.setenv(ALLOW_ENV, "data.corp.example, 10.20.0.0/16")
    assert errors(project) == []


# --------------------------------------------------------------------------- fetch time


def test_a_literal_loopback_url_is_never_fetched() -> None:
    with listening() as listener, pytest.raises(OutboundRefused) as caught:
        read_source(Path(), url_dataset(f"http://127.0.0.1:{listener.port}/d.csv"))
    assert listener.paths == []
    assert caught.value.message == (
        f"refused to fetch http://127.0.0.1:{listener.port}/d.csv: 127.0.0.1 is a loopback "
        "address (this machine)"
    )
    assert caught.value.hint is not None and ALLOW_ENV in caught.value.hint


def test_a_host_name_is_checked_after_dns_resolution() -> None:
    """The machine's own name passes the literal check and resolves (through /etc/hosts) to
    an address of the machine: the check after resolution refuses it."""
    import ipaddress
    import socket

    name = socket.gethostname()
    address = ipaddress.ip_address(socket.gethostbyname(name))
    if not (address.is_loopback or address.is_private):
        pytest.skip(f"{name} resolves to the public address {address} on this machine")
    with listening() as listener, pytest.raises(OutboundRefused) as caught:
        read_source(Path(), url_dataset(f"http://{name}:{listener.port}/d.csv"))
    assert listener.paths == []
    assert caught.value.reason.startswith(f"{name} resolves to {address}, a ")


def test_a_resolved_name_pointing_inside_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    real = socket.getaddrinfo

    def rebinding(host: str, *args: object, **kwargs: object) -> object:
        # a public-looking name whose DNS answer is the machine itself (DNS rebinding)
        return real("127.0.0.1" if host == "data.example.com" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with listening() as listener, pytest.raises(OutboundRefused) as caught:
        read_source(Path(), url_dataset(f"http://data.example.com:{listener.port}/d.csv"))
    assert listener.paths == []
    assert caught.value.message == (
        f"refused to fetch data.example.com:{listener.port}: data.example.com resolves to "
        "127.0.0.1, a loopback address (this machine)"
    )


def test_every_redirect_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    with listening() as inner, listening(f"http://127.0.0.1:{inner.port}/secret") as outer:
        monkeypatch.setenv(ALLOW_ENV, "localhost")  # the first server is trusted, by name only
        with pytest.raises(OutboundRefused) as caught:
            read_source(Path(), url_dataset(f"http://localhost:{outer.port}/d.csv"))
    assert outer.paths == ["/d.csv"]
    assert inner.paths == []
    assert caught.value.message == (
        f"refused to fetch http://127.0.0.1:{inner.port}/secret: "
        f"http://localhost:{outer.port}/d.csv redirects there, and 127.0.0.1 is a loopback "
        "address (this machine)"
    )


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/x", "data:,a,b"])
def test_a_redirect_to_another_scheme_is_refused(
    monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    with listening(target) as outer:
        monkeypatch.setenv(ALLOW_ENV, "127.0.0.1/32")
        with pytest.raises(OutboundRefused, match="is not fetched; use https://"):
            read_source(Path(), url_dataset(f"http://127.0.0.1:{outer.port}/d.csv"))
    assert outer.paths == ["/d.csv"]


def test_plain_http_is_refused_at_fetch_time_without_the_opt_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ALLOW_ENV, "127.0.0.1/32")
    with listening() as listener:
        url = f"http://127.0.0.1:{listener.port}/d.csv"
        with pytest.raises(OutboundRefused, match="plain http is refused"):
            read_source(Path(), url_dataset(url, allow_http=False))
    assert listener.paths == []


def test_an_allowed_internal_server_is_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    """The positive control: the same listener, allow-listed, is reached and read."""
    monkeypatch.setenv(ALLOW_ENV, "127.0.0.1/32")
    with listening() as listener:
        frame = read_source(Path(), url_dataset(f"http://127.0.0.1:{listener.port}/d.csv"))
    assert listener.paths == ["/d.csv"]
    assert (frame.column_names, frame.num_rows) == (["rooms", "area", "price"], 2)


def test_an_unreachable_public_host_is_a_stage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(StageError, match=r"cannot download https://nonexistent\.invalid/d\.csv"):
        read_source(Path(), url_dataset("https://nonexistent.invalid/d.csv"))
