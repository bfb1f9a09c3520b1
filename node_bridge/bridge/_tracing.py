"""The bridge's part of one trace: a server span per request that continues the caller's
`traceparent`, and the trace id in every JobError the bridge answers.

`traced(app, api)` wraps the bridge's whole ASGI chain, so the token guard's 401, the body
limit's 413, the validation answers' 400/422 and the routes all run inside the server span;
`start_job`'s span is its child. Spans are named as OpenTelemetry's FastAPI instrumentation
names them (`POST /v1/jobs`, `GET /v1/jobs/{jobId:path}`), from the FastAPI routes,
though `POST /v1/jobs` is answered in front of FastAPI (`_start_endpoint`). Without an SDK
nothing would be recorded, so no span is made: the request only runs in the caller's context,
and JobErrors keep the caller's trace id.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from opentelemetry import context, propagate
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send

from .._result import Failure, Success
from .._telemetry import current_trace_id, sdk_installed

__all__ = ["ContinueTraceparent", "traced", "with_trace_id"]

SpanDetails = Callable[[Scope], tuple[str, dict[str, str]]]


def traced(app: ASGIApp, routes: Sequence[BaseRoute], *,
           untraced_paths: Iterable[str] = ()) -> ASGIApp:
    """`app` with a server span per request but `untraced_paths` (health probes: frequent,
    and of no use in a job's trace), named by the one of `routes` it matches.

    With no SDK installed the span would record nothing, yet OpenTelemetry's ASGI middleware
    costs about a third of a request's Python time (docs/performance.md): then a small
    middleware only continues the caller's `traceparent`. Decided when the app is made:
    install the SDK (`init_telemetry`) before `create_app`. The per-request `receive`/`send`
    spans are left out: they double a trace's size and say nothing the server span does not.
    """
    if not sdk_installed():
        return ContinueTraceparent(app)
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    # Matched with re.search against the URL without its query: anchor the path at the end.
    excluded = ",".join(f"{re.escape(path)}$" for path in untraced_paths)
    return OpenTelemetryMiddleware(app, excluded_urls=excluded,
                                   default_span_details=route_span_details(routes),
                                   exclude_spans=["receive", "send"])


def route_span_details(routes: Sequence[BaseRoute]) -> SpanDetails:
    """Span name and `http.route` from the one of `routes` that the request matches. The
    routes are the routers' own (their paths include the prefix), not the app's: FastAPI
    nests included routers in version-specific ways."""

    def details(scope: Scope) -> tuple[str, dict[str, str]]:
        method = str(scope.get("method", "")).strip().upper() or "HTTP"
        for route in routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                path: str = getattr(route, "path", "")
                return (f"{method} {path}", {"http.route": path}) if path else (method, {})
        return method, {}

    return details


class ContinueTraceparent:
    """Pure ASGI middleware: the request runs in the caller's trace context (from
    `traceparent`), with no span of its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        carrier = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]
                   if k in (b"traceparent", b"tracestate")}
        if not carrier:
            await self.app(scope, receive, send)
            return
        token = context.attach(propagate.extract(carrier))
        try:
            await self.app(scope, receive, send)
        finally:
            context.detach(token)


def with_trace_id(result: Success | Failure) -> Success | Failure:
    """`result`, its error carrying the current trace id when it has none yet (refusals the
    bridge makes itself; a `JobClient` already fills in its own)."""
    if isinstance(result, Success) or result.error.trace_id is not None:
        return result
    trace_id = current_trace_id()
    if trace_id is None:
        return result
    return Failure(error=result.error.model_copy(update={"trace_id": trace_id}))
