"""The bridge's part of one trace: a server span per request that continues the caller's
`traceparent`, and the trace id in every JobError the bridge answers.

`instrument(app)` applies OpenTelemetry's FastAPI instrumentation (the API only: spans are
recorded once `startjob.telemetry.init_telemetry` installed an SDK). Its middleware wraps every
other one, so the token guard's 401, the body limit's 413, the validation handlers' 400/422 and
the routes all run inside the server span; `start_job`'s span is its child. Without an SDK the
span is non-recording but still carries an incoming trace id, so JobErrors keep the caller's id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from fastapi import FastAPI
from opentelemetry import context, propagate, trace
from starlette.types import ASGIApp, Receive, Scope, Send

from .._result import Failure, Success
from .._telemetry import current_trace_id

__all__ = ["ContinueTraceparent", "instrument", "with_trace_id"]


def instrument(app: FastAPI, *, untraced_paths: Iterable[str] = ()) -> None:
    """Trace every request to `app` but `untraced_paths` (health probes: frequent, and of no
    use in a job's trace).

    With no SDK installed nothing would be recorded, yet the instrumentation still costs about
    a third of a request's Python time and memory per waiting call (docs/performance.md): then
    a small middleware only continues the caller's `traceparent`, so JobErrors keep its id.
    Decided when the app is made: install the SDK (`init_telemetry`) before `create_app`.
    The per-request `receive`/`send` spans are left out: they double a trace's size and say
    nothing the server span does not.
    """
    no_sdk = trace.ProxyTracerProvider | trace.NoOpTracerProvider
    if isinstance(trace.get_tracer_provider(), no_sdk):
        app.add_middleware(ContinueTraceparent)
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    # Matched with re.search against the URL without its query: anchor the path at the end.
    excluded = ",".join(f"{re.escape(path)}$" for path in untraced_paths)
    FastAPIInstrumentor.instrument_app(app, excluded_urls=excluded,
                                       exclude_spans=["receive", "send"])


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
