"""Outbound HTTP from specs: refuse what a pull request could aim at the machine's own network.

A Dataset's ``source.url`` is fetched by the ingest stage, which runs in CI on pull requests.
Without a guard, ``http://169.254.169.254/latest/meta-data/`` or ``http://127.0.0.1:2375/``
would make CI read cloud credentials or talk to a Docker daemon. So by default:

- only ``https`` (a spec opts one source into plain ``http`` with ``source.allowHttp: true``);
- no address that is loopback, link-local (cloud metadata), private, shared (CGNAT), multicast,
  unspecified or reserved. Literal addresses are refused by ``mlops validate``; at fetch time
  every address a host name resolves to is checked, the connection goes to the address that
  was checked (no second lookup a DNS rebinding could change), and every redirect is checked
  again the same way;
- no proxy: the connection goes straight to the checked address.

Teams with internal data servers list them in the environment variable
``MLOPS_OUTBOUND_ALLOW`` (comma-separated host names and CIDR networks, e.g.
``data.corp.example,10.20.0.0/16``). It is an environment variable on purpose: it belongs to
the machine that fetches (the CI runner's settings), not to the repository, so a pull request
cannot widen it.
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import socket
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import Message
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

from mlops_gitops.errors import MlopsError

__all__ = [
    "ALLOW_ENV",
    "AllowList",
    "OutboundRefused",
    "address_refusal",
    "open_url",
    "url_refusal",
]

ALLOW_ENV = "MLOPS_OUTBOUND_ALLOW"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_ALLOW_HINT = (
    f"if this is your team's data server, list its host name or network in {ALLOW_ENV} "
    "on the machine that runs the pipeline (e.g. data.corp.example,10.20.0.0/16)"
)


class OutboundRefused(MlopsError):
    """A fetch was refused before any byte was sent."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"refused to fetch {url}: {reason}", _ALLOW_HINT)
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class AllowList:
    """Host names and networks the operator trusts despite their addresses."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> AllowList:
        text = (os.environ if environ is None else environ).get(ALLOW_ENV, "")
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in (e.strip() for e in text.split(",")):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry.lower().rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def trusts_host(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.hosts

    def trusts_address(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks)


def _internal_kind(address: IPAddress) -> str | None:
    """What kind of internal address this is, or None when it is public."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    kinds = (
        (address.is_loopback, "a loopback address (this machine)"),
        (address.is_link_local, "a link-local address (where cloud metadata services answer)"),
        (address.is_multicast, "a multicast address"),
        (address.is_unspecified, "the unspecified address (this machine)"),
        (address in _SHARED, "a shared (carrier-grade NAT) address"),
        (address.is_private, "a private address (an internal network)"),
        (address.is_reserved, "a reserved address"),
    )
    return next((kind for internal, kind in kinds if internal), None)


def address_refusal(address: IPAddress) -> str | None:
    """Why this address is not fetched from, or None when it is public."""
    kind = _internal_kind(address)
    return None if kind is None else f"{_unmapped(address)} is {kind}"


def _unmapped(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


_SHARED = ipaddress.ip_network("100.64.0.0/10")


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def url_refusal(url: str, *, allow_http: bool, allow: AllowList) -> str | None:
    """What can be said of ``url`` without a DNS lookup (scheme, literal address, localhost)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 (raises ValueError on a port out of range)
    except ValueError as error:
        return f"it is not a valid url ({error})"
    if parts.scheme == "http" and not allow_http:
        return (
            "plain http is refused; use https://, or set source.allowHttp: true for a source "
            "you trust"
        )
    if parts.scheme not in ("http", "https"):
        return f"scheme {parts.scheme or '(none)'!r} is not fetched; use https://"
    if not host:
        return "the url has no host"
    if allow.trusts_host(host):
        return None
    address = _literal(host)
    if address is not None:
        return None if allow.trusts_address(address) else address_refusal(address)
    if host.lower().rstrip(".") == "localhost" or host.lower().endswith(".localhost"):
        return f"{host} names this machine (loopback)"
    return None


def _checked_address(host: str, port: int, allow: AllowList) -> tuple[Any, ...]:
    """Resolve ``host`` and return one socket address, refusing when any answer is internal."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise OSError(f"cannot resolve {host}: {error}") from error
    trusted_name = allow.trusts_host(host)
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", maxsplit=1)[0])
        kind = None if trusted_name or allow.trusts_address(address) else _internal_kind(address)
        if kind is not None:
            raise OutboundRefused(
                f"{host}:{port}", f"{host} resolves to {_unmapped(address)}, {kind}"
            )
    family, _, _, _, sockaddr = infos[0]
    return (family, sockaddr)


def _guarded_create_connection(allow: AllowList) -> Callable[..., socket.socket]:
    def create_connection(
        address: tuple[str, int],
        timeout: float | None = None,
        source_address: tuple[str, int] | None = None,
    ) -> socket.socket:
        host, port = address
        family, sockaddr = _checked_address(host, port, allow)
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            if timeout is not None:
                sock.settimeout(timeout)
            if source_address is not None:
                sock.bind(source_address)
            sock.connect(sockaddr)  # the address that was checked, not a second lookup
        except BaseException:
            sock.close()
            raise
        return sock

    return create_connection


def _connection_factory(base: type[http.client.HTTPConnection], allow: AllowList) -> Any:
    def factory(host: str, **kwargs: Any) -> http.client.HTTPConnection:
        connection = base(host, **kwargs)
        connection._create_connection = _guarded_create_connection(allow)  # type: ignore[attr-defined]
        return connection

    return factory


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, allow: AllowList) -> None:
        super().__init__()
        self._allow = allow

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_connection_factory(http.client.HTTPConnection, self._allow), req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, allow: AllowList) -> None:
        super().__init__()
        self._allow = allow

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(
            _connection_factory(http.client.HTTPSConnection, self._allow),
            req,
            context=self._context,  # type: ignore[attr-defined]
        )


class _GuardedRedirect(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only where the first url could have gone; the token stays on the
    same scheme, host and port."""

    max_redirections = 5

    def __init__(self, allow: AllowList, allow_http: bool) -> None:
        super().__init__()
        self._allow = allow
        self._allow_http = allow_http

    def http_error_302(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Message,
    ) -> Any:
        location = headers.get("location") or headers.get("uri")
        if location is not None:
            newurl = urljoin(req.full_url, location)
            reason = url_refusal(newurl, allow_http=self._allow_http, allow=self._allow)
            if reason is not None:
                raise OutboundRefused(newurl, f"{req.full_url} redirects there, and {reason}")
        return super().http_error_302(req, fp, code, msg, headers)  # type: ignore[arg-type]

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def redirect_request(  # noqa: PLR0917 (signature fixed by urllib's base class)
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)  # type: ignore[arg-type]
        auth = req.unredirected_hdrs.get("Authorization")
        if new is not None and auth and urlsplit(newurl)[:2] == urlsplit(req.full_url)[:2]:
            new.add_unredirected_header("Authorization", auth)
        return new


def open_url(
    request: urllib.request.Request,
    *,
    allow_http: bool,
    timeout: float,
    allow: AllowList | None = None,
) -> http.client.HTTPResponse:
    """Open ``request`` under the rules above; raises :class:`OutboundRefused` before sending
    anything to a refused address, ``OSError``/``URLError`` for network failures."""
    allow = AllowList.from_environment() if allow is None else allow
    reason = url_refusal(request.full_url, allow_http=allow_http, allow=allow)
    if reason is not None:
        raise OutboundRefused(request.full_url, reason)
    opener = urllib.request.OpenerDirector()
    for handler in (
        _GuardedHTTPHandler(allow),
        _GuardedHTTPSHandler(allow),
        urllib.request.HTTPDefaultErrorHandler(),
        _GuardedRedirect(allow, allow_http),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    response: http.client.HTTPResponse = opener.open(request, timeout=timeout)
    return response
