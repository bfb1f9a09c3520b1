"""ASGI middleware that refuses a request before any route runs: a missing or wrong bearer
token (401 UNAUTHORIZED) and a body over the limit (413 PAYLOAD_TOO_LARGE).

The body limit is measured without holding more than the limit in memory: a declared
Content-Length over it is refused, a chunked body is kept only up to the limit. Before refusing,
the rest of the body is read and dropped (up to `DRAIN_LIMIT_BYTES`), because a client that is
still sending when the connection closes never sees the 413.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .._codes import ErrorCode
from .._translate import ErrorContext
from ._responses import error_response

__all__ = ["DRAIN_LIMIT_BYTES", "BodyLimit", "TokenGuard"]

DRAIN_LIMIT_BYTES = 16 * 1024 * 1024  # bytes read and dropped after a 413; then we hang up

_NO_CONTEXT = ErrorContext(job_type="", item_index=0)


class TokenGuard:
    """Requires `Authorization: Bearer <token>` on every path but the health probes, which
    orchestrators call without credentials."""

    def __init__(self, app: ASGIApp, *, token: str, open_paths: Iterable[str] = ()) -> None:
        self.app = app
        self._token = token.encode()
        self._open_paths = frozenset(open_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self._open_paths:
            await self.app(scope, receive, send)
            return
        given = _bearer(scope)
        if given is not None and hmac.compare_digest(given, self._token):
            await self.app(scope, receive, send)
            return
        message = ("missing Authorization header: send 'Authorization: Bearer <token>'"
                   if given is None else "wrong bearer token")
        if (_content_length(scope) or 0) <= DRAIN_LIMIT_BYTES:
            await _drain(receive, DRAIN_LIMIT_BYTES)  # unparsed, dropped: so the 401 arrives
        response = error_response(ErrorCode.UNAUTHORIZED, message, _NO_CONTEXT,
                                  error_type="Unauthorized")
        response.headers["WWW-Authenticate"] = "Bearer"
        await response(scope, receive, send)


class BodyLimit:
    """Refuses request bodies over `max_bytes` with 413, never buffering more than that."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None:
            if declared > self.max_bytes:
                if declared <= DRAIN_LIMIT_BYTES:
                    await _drain(receive, DRAIN_LIMIT_BYTES)
                await self._refuse(scope, receive, send, declared)
                return
            await self.app(scope, receive, send)  # the server enforces the declared length
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away; the app sees an empty body
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                if message.get("more_body", False):
                    await _drain(receive, DRAIN_LIMIT_BYTES - size)
                await self._refuse(scope, receive, send, None)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(chunks), receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, size: int | None) -> None:
        measured = f"{size} bytes" if size is not None else f"more than {self.max_bytes} bytes"
        response = error_response(
            ErrorCode.PAYLOAD_TOO_LARGE,
            f"the request body is {measured}, over the bridge's {self.max_bytes}-byte limit "
            "(STARTJOB_BRIDGE_MAX_BODY_BYTES); pass a reference (a URL or record id) instead "
            "of the data itself",
            _NO_CONTEXT, error_type="PayloadTooLarge",
            details={"size": size, "limit": self.max_bytes},
        )
        response.headers["Connection"] = "close"
        await response(scope, receive, send)


async def _drain(receive: Receive, budget: int) -> None:
    """Read and drop the rest of the body, at most `budget` bytes."""
    while budget > 0:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return
        budget -= len(message.get("body", b""))


def _bearer(scope: Scope) -> bytes | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, credentials = value.partition(b" ")
            if scheme.lower() == b"bearer" and credentials.strip():
                return bytes(credentials.strip())
            return b""
    return None


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
