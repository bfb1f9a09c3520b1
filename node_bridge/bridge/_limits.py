"""`ConcurrencyLimit`: at most N requests in flight per client, so one noisy caller (an n8n
workflow fanning out thousands of items) cannot hold every connection and worker slot of the
bridge while others wait.

A client is its address as the ASGI server reports it (uvicorn rewrites it from
`X-Forwarded-For` only for proxies listed in `FORWARDED_ALLOW_IPS`). Not the bearer token: the
bridge has one shared token, so keying by it would make the limit global. Past the limit the
answer is 429 with `Retry-After` and a Result error body, code UNAVAILABLE with
`retryable: true`: the contract's code for "the service cannot take this now, call again"; the
status says it is this client's share that ran out, not Temporal. A slot frees as soon as its
request ends, so recovery needs no timer.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from .._codes import ErrorCode
from .._translate import ErrorContext
from ._config import ENV_MAX_CONCURRENT_PER_CLIENT
from ._guards import DRAIN_LIMIT_BYTES, _content_length, _drain
from ._responses import error_response

__all__ = ["RETRY_AFTER_SECONDS", "ConcurrencyLimit"]

RETRY_AFTER_SECONDS = 1  # seconds; slots free as requests end, so a short pause is enough
_NO_CONTEXT = ErrorContext(job_type="", item_index=0)


class ConcurrencyLimit:
    """Answers 429 to a client that already has `per_client` requests in flight.

    Args:
        per_client: Requests one client may have in flight at once.
        open_paths: Never limited (health probes: an orchestrator must always get through).
    """

    def __init__(self, app: ASGIApp, *, per_client: int, open_paths: Iterable[str] = ()) -> None:
        self.app = app
        self.per_client = per_client
        self._open_paths = frozenset(open_paths)
        self._in_flight: dict[str, int] = {}  # one event loop: no lock needed

    def in_flight(self, client: str) -> int:
        return self._in_flight.get(client, 0)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self._open_paths:
            await self.app(scope, receive, send)
            return
        key = _client_key(scope)
        if self._in_flight.get(key, 0) >= self.per_client:
            await self._refuse(scope, receive, send)
            return
        self._in_flight[key] = self._in_flight.get(key, 0) + 1
        try:
            await self.app(scope, receive, send)
        finally:
            remaining = self._in_flight[key] - 1
            if remaining:
                self._in_flight[key] = remaining
            else:
                del self._in_flight[key]  # idle clients cost nothing

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (_content_length(scope) or 0) <= DRAIN_LIMIT_BYTES:
            await _drain(receive, DRAIN_LIMIT_BYTES)  # so the client sees the 429
        response = error_response(
            ErrorCode.UNAVAILABLE,
            f"too many requests in flight from this client (at most {self.per_client}, "
            f"{ENV_MAX_CONCURRENT_PER_CLIENT}); retry after {RETRY_AFTER_SECONDS}s, or wait "
            "for earlier calls to finish",
            _NO_CONTEXT, status=429, error_type="TooManyRequests",
            details={"limit": self.per_client},
        )
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        await response(scope, receive, send)


def _client_key(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"
