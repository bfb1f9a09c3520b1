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

from .._result import Failure, Success
from .._telemetry import current_trace_id

__all__ = ["instrument", "with_trace_id"]


def instrument(app: FastAPI, *, untraced_paths: Iterable[str] = ()) -> None:
    """Trace every request to `app` but `untraced_paths` (health probes: frequent, and of no
    use in a job's trace).

    The per-request `receive`/`send` spans are left out: they double a trace's size and say
    nothing the server span does not.
    """
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    # Matched with re.search against the URL without its query: anchor the path at the end.
    excluded = ",".join(f"{re.escape(path)}$" for path in untraced_paths)
    FastAPIInstrumentor.instrument_app(app, excluded_urls=excluded,
                                       exclude_spans=["receive", "send"])


def with_trace_id(result: Success | Failure) -> Success | Failure:
    """`result`, its error carrying the current trace id when it has none yet (refusals the
    bridge makes itself; a `JobClient` already fills in its own)."""
    if isinstance(result, Success) or result.error.trace_id is not None:
        return result
    trace_id = current_trace_id()
    if trace_id is None:
        return result
    return Failure(error=result.error.model_copy(update={"trace_id": trace_id}))
