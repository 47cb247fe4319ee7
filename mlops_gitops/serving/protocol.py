"""uvicorn's h11 protocol with a deadline for reading request headers.

uvicorn closes idle keep-alive connections (``timeout_keep_alive``) but has no limit on how
long a client may take to send a request's headers: 3,000 connections that each send half a
request line hold 3,000 sockets (slowloris). ``h11_max_incomplete_event_size`` bounds the
bytes, not the time. :class:`HeaderTimeoutProtocol` arms a timer when a connection opens and
whenever it waits for the next request, cancels it once the request's headers are parsed, and
closes the connection when it fires first (as nginx's ``client_header_timeout`` does, without
the 408 body). uvicorn takes the protocol class through ``Config(http=...)``; a
:func:`functools.partial` carries the deadline into every worker process.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["DEFAULT_HEADER_TIMEOUT_S", "HeaderTimeoutProtocol", "protocol_with_header_timeout"]

DEFAULT_HEADER_TIMEOUT_S = 10.0


class HeaderTimeoutProtocol(H11Protocol):
    def __init__(self, *args: Any, header_timeout_s: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout_s = header_timeout_s
        self._header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:
        if self._waiting_for_headers() and self._header_timer is None:
            self._arm_header_timer()  # the next request on a kept-alive connection begins
        super().data_received(data)
        if not self._waiting_for_headers():
            self._cancel_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._cancel_header_timer()  # idle now: the keep-alive timeout applies until data comes

    def _waiting_for_headers(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout_s, self._headers_too_slow)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self._waiting_for_headers() and not self.transport.is_closing():
            self.transport.close()


def protocol_with_header_timeout(header_timeout_s: float) -> Any:
    """The ``http`` argument for uvicorn: the protocol class bound to its deadline."""
    return functools.partial(HeaderTimeoutProtocol, header_timeout_s=header_timeout_s)
