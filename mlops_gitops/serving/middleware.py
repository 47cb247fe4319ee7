"""One pure-ASGI middleware for what every request needs: an id, a body limit, metrics.

* The request id is the incoming ``X-Request-ID`` when it is 1-128 characters of
  ``[A-Za-z0-9._:-]``, otherwise a new uuid4 (hex). Handlers read and may replace it through
  ``scope["state"]["request_id"]`` (a V2 body's ``id``); it is sent back as ``X-Request-ID``.
* A body larger than ``max_body_bytes`` gets 413, whether announced by Content-Length or found
  while streaming.
* Requests are counted by method, route template and status; latency is observed per route.
* An exception that escapes a handler becomes a JSON 500 (with the id), never a bare page.

Pure ASGI (not Starlette's BaseHTTPMiddleware) keeps the per-request cost to a few dictionary
operations.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson

from mlops_gitops.serving.prometheus import ServingMetrics

__all__ = ["REQUEST_ID_HEADER", "ServingMiddleware", "is_valid_request_id", "request_id_of"]

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "x-request-id"
_VALID_ID = re.compile(rb"[A-Za-z0-9._:\-]{1,128}")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyTooLarge(Exception):
    pass


def request_id_of(scope: Scope) -> str:
    rid: str = scope["state"]["request_id"]
    return rid


def is_valid_request_id(value: str) -> bool:
    return value.isascii() and _VALID_ID.fullmatch(value.encode("ascii")) is not None


def _incoming_id(scope: Scope) -> str | None:
    for key, value in scope["headers"]:
        if key == b"x-request-id":
            if _VALID_ID.fullmatch(value):
                return str(value.decode("ascii"))
            break
    return None


def _content_length(scope: Scope) -> int | None:
    for key, value in scope["headers"]:
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class ServingMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, metrics: ServingMetrics) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state = scope.setdefault("state", {})
        incoming = _incoming_id(scope)
        state["request_id"] = incoming or uuid.uuid4().hex
        state["request_id_incoming"] = incoming is not None
        status = 500
        response_started = False
        limit = self.max_body_bytes
        received = 0
        announced = _content_length(scope)

        async def limited_receive() -> Message:
            # Checked on the first read, after routing, so the 413 is counted under its route.
            nonlocal received
            if received == 0 and announced is not None and announced > limit:
                raise BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = list(message.get("headers", ()))
                headers.append((b"x-request-id", state["request_id"].encode("ascii")))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_id)
        except BodyTooLarge:
            if not response_started:
                status = 413
                message = f"the request body is larger than {limit} bytes"
                await self._error(send_with_id, 413, message, state)
        except Exception:
            logger.exception("request %s failed", state["request_id"])
            if not response_started:
                status = 500
                await self._error(send_with_id, 500, "internal server error", state)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or "<unmatched>"
            self.metrics.requests.inc((scope["method"], path, str(status)))
            self.metrics.latency.observe(time.perf_counter() - started, (path,))

    async def _error(self, send: Send, status: int, message: str, state: dict[str, Any]) -> None:
        body = orjson.dumps({"error": message, "request_id": state["request_id"]})
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
