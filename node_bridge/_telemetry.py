"""startjob's own spans and metrics, through the OpenTelemetry *API* only.

Without an SDK installed (see `startjob.telemetry.init_telemetry`) all of this is a no-op.
Settings values never become attributes: they may hold secrets; the idempotency key is hashed.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field

from opentelemetry import metrics, trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from temporalio.client import Client
from temporalio.contrib.opentelemetry import (
    OpenTelemetryPlugin,
    ReplaySafeTracerProvider,
    TracingInterceptor,
)

from ._codes import ErrorCode
from ._result import Failure, Success

__all__ = [
    "INSTRUMENTATION_NAME",
    "UNKNOWN_JOB_TYPE_LABEL",
    "JobSpan",
    "current_trace_id",
    "job_span",
    "sdk_installed",
    "with_tracing",
]

INSTRUMENTATION_NAME = "startjob"
UNKNOWN_JOB_TYPE_LABEL = "(unknown)"
"""The metrics' `job.type` for UNKNOWN_JOB_TYPE refusals (the span keeps the name asked for)."""

_tracer = trace.get_tracer(INSTRUMENTATION_NAME)
_meter = metrics.get_meter(INSTRUMENTATION_NAME)
_jobs_counter = _meter.create_counter(
    "startjob.jobs", unit="{job}", description="Jobs awaited by start_job, by type and outcome")
_duration = _meter.create_histogram(
    "startjob.job.duration", unit="s",
    description="Time from start_job to its Result, by job type and outcome")


def current_trace_id() -> str | None:
    """The active OpenTelemetry trace id as 32 hex digits, or `None` outside any trace."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


def sdk_installed() -> bool:
    """Whether an OpenTelemetry SDK (any real tracer provider) is installed: until then every
    span is a no-op, and making one only costs time and memory."""
    return not isinstance(trace.get_tracer_provider(),
                          trace.ProxyTracerProvider | trace.NoOpTracerProvider)


def with_tracing(client: Client) -> Client:
    """`client`, or a client sharing its connection, that traces Temporal calls so that
    StartWorkflow, RunWorkflow, StartActivity and RunActivity (one per attempt) join the
    caller's trace; workers built on the client trace too.

    Which integration depends on the tracer provider installed when the client is made:
    `init_telemetry`'s replay-safe provider gets Temporal's `OpenTelemetryPlugin` (real
    durations, each span nested in the one before); any other SDK provider gets the classic
    `TracingInterceptor` (workflow spans are siblings); no SDK at all gets nothing, since
    tracing would be a no-op (and the plugin refuses to run a worker without its provider).
    """
    config = client.config()
    plugins = list(config.get("plugins", []))
    interceptors = list(config["interceptors"])
    if any(isinstance(p, OpenTelemetryPlugin) for p in plugins) or any(
        isinstance(i, TracingInterceptor) for i in interceptors
    ):
        return client
    provider = trace.get_tracer_provider()
    if isinstance(provider, ReplaySafeTracerProvider):
        config["plugins"] = [*plugins, OpenTelemetryPlugin(add_temporal_spans=True)]
    elif not sdk_installed():
        return client
    else:
        config["interceptors"] = [*interceptors, TracingInterceptor()]
    return Client(**config)


@dataclass
class JobSpan:
    """The `startjob.start_job` span of one call, with what the call learns on the way."""

    span: Span
    job_type: str
    started: float = field(default_factory=time.monotonic)

    @property
    def trace_id(self) -> str | None:
        context = self.span.get_span_context()
        return format(context.trace_id, "032x") if context.is_valid else current_trace_id()

    def launched(self, workflow_id: str, run_id: str | None) -> None:
        self.span.set_attribute("temporal.workflow_id", workflow_id)
        if run_id:
            self.span.set_attribute("temporal.run_id", run_id)

    def finish(self, result: Success | Failure) -> Success | Failure:
        outcome = "success" if result.success else str(result.error.code)
        self.span.set_attribute("job.outcome", outcome)
        if isinstance(result, Failure):
            error = result.error
            self.span.set_attribute("job.error.code", str(error.code))
            self.span.set_attribute("job.attempts", error.attempts)
            if error.workflow_id:
                self.span.set_attribute("temporal.workflow_id", error.workflow_id)
            self.span.set_status(Status(StatusCode.ERROR, error.message[:500]))
        # A caller can name any job type; an unknown one must not mint a metric series.
        unknown = isinstance(result, Failure) and result.error.code is ErrorCode.UNKNOWN_JOB_TYPE
        attributes = {"job.type": UNKNOWN_JOB_TYPE_LABEL if unknown else self.job_type,
                      "job.outcome": outcome}
        _jobs_counter.add(1, attributes)
        _duration.record(time.monotonic() - self.started, attributes)
        return result


def job_span(job_type: str, item_index: int,
             idempotency_key: str | None) -> AbstractContextManager[JobSpan]:
    """The `startjob.start_job` span around one call, while it launches and waits.

    Without an SDK the call runs in the caller's span (which still carries an incoming trace
    id) instead of a no-op span of its own: a waiting call holds this for its whole wait, and
    the no-op span's context managers cost about 2.5 KiB each (docs/performance.md)."""
    if not sdk_installed():
        return nullcontext(JobSpan(trace.get_current_span(), job_type))
    return _recorded_job_span(job_type, item_index, idempotency_key)


@contextmanager
def _recorded_job_span(job_type: str, item_index: int,
                       idempotency_key: str | None) -> Iterator[JobSpan]:
    attributes: dict[str, str | int] = {"job.type": job_type, "job.item_index": item_index}
    if idempotency_key:
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]
        attributes["job.idempotency_key.hash"] = digest
    with _tracer.start_as_current_span(
        "startjob.start_job", kind=SpanKind.CLIENT, attributes=attributes,
        record_exception=True, set_status_on_exception=True,
    ) as span:
        yield JobSpan(span, job_type)
