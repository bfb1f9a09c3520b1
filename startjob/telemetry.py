"""OpenTelemetry set-up: the only place startjob installs providers.

Library code (`activities`, `workflows`, `node_bridge`) uses only the OpenTelemetry API; a
process that wants traces and metrics calls `init_telemetry` once, before connecting::

    telemetry = init_telemetry(TelemetryConfig.from_env(service_name="startjob-bridge"))
    async with telemetry.temporal_metrics():
        client = await JobClient.connect()

It reads the standard environment: `OTEL_SERVICE_NAME`, `OTEL_EXPORTER_OTLP_ENDPOINT` (and the
`_TRACES_` / `_METRICS_` forms, `OTEL_EXPORTER_OTLP_PROTOCOL`, headers...), `OTEL_TRACES_EXPORTER`
/ `OTEL_METRICS_EXPORTER` (`otlp`, `console`, `none`; metrics also `prometheus`),
`OTEL_TRACES_SAMPLER`. Nothing configured means nothing exported. With
`OTEL_TRACES_EXPORTER=console`, `STARTJOB_OTEL_CONSOLE_FILE=PATH` appends one JSON line per span
to PATH instead of printing indented JSON to stdout: easy to grep, and what the TypeScript
integration test reads to see the bridge's spans.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    ConsoleMetricExporter,
    MetricReader,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)
from temporalio.contrib.opentelemetry import (
    MetricsExporter,
    ReplaySafeTracerProvider,
    create_tracer_provider,
)
from temporalio.runtime import MetricBuffer, Runtime
from temporalio.runtime import TelemetryConfig as TemporalTelemetryConfig

from node_bridge import ConfigurationError

__all__ = ["ENV_CONSOLE_FILE", "Telemetry", "TelemetryConfig", "init_telemetry"]

TracesExporter = Literal["none", "otlp", "console"]
MetricsExporterName = Literal["none", "otlp", "console", "prometheus"]

ENV_CONSOLE_FILE = "STARTJOB_OTEL_CONSOLE_FILE"
TEMPORAL_METRIC_BUFFER_SIZE = 10_000  # metric updates held between drains
LOG_FORMAT = (
    "%(asctime)s %(levelname)s [%(name)s] [trace_id=%(otelTraceID)s span_id=%(otelSpanID)s] "
    "%(message)s"
)


@dataclass(frozen=True)
class TelemetryConfig:
    service_name: str = "startjob"
    traces: TracesExporter = "none"
    metrics: MetricsExporterName = "none"
    metrics_port: int | None = None
    """Serve Prometheus metrics on 127.0.0.1:PORT (`--metrics-port`)."""
    otlp_protocol: Literal["grpc", "http/protobuf"] = "grpc"
    console_file: str | None = None
    """With `traces="console"`: append spans as JSON lines here instead of stdout."""

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        service_name: str = "startjob",
        metrics_port: int | None = None,
    ) -> TelemetryConfig:
        env = os.environ if environ is None else environ
        has_endpoint = any(env.get(n) for n in (
            "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"))
        default = "otlp" if has_endpoint else "none"
        traces = _choice(env, "OTEL_TRACES_EXPORTER", default, ("none", "otlp", "console"))
        metrics_name = _choice(env, "OTEL_METRICS_EXPORTER", default,
                               ("none", "otlp", "console", "prometheus"))
        if metrics_port is not None:
            metrics_name = "prometheus"
        protocol = _choice(env, "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", ("grpc", "http/protobuf"))
        return cls(
            service_name=env.get("OTEL_SERVICE_NAME") or service_name,
            traces=traces,  # type: ignore[arg-type]
            metrics=metrics_name,  # type: ignore[arg-type]
            metrics_port=metrics_port,
            otlp_protocol=protocol,  # type: ignore[arg-type]
            console_file=env.get(ENV_CONSOLE_FILE) or None,
        )


def _choice(env: Mapping[str, str], name: str, default: str, allowed: Sequence[str]) -> str:
    value = (env.get(name) or default).split(",")[0].strip().lower()
    if value not in allowed:
        raise ConfigurationError(f"{name}={env.get(name)!r}: use one of {', '.join(allowed)}")
    return value


@dataclass
class Telemetry:
    """The installed providers, and the pump that feeds Temporal's SDK metrics into them."""

    config: TelemetryConfig
    tracer_provider: ReplaySafeTracerProvider
    meter_provider: MeterProvider
    temporal_buffer: MetricBuffer | None = None
    _exporter: MetricsExporter | None = field(default=None, repr=False)

    @contextlib.asynccontextmanager
    async def temporal_metrics(self) -> AsyncIterator[None]:
        """Export the Temporal SDK's runtime metrics (workflow/activity task latencies, slots,
        ...) through the same metrics pipeline while the block runs."""
        if self.temporal_buffer is None:
            yield
            return
        async with MetricsExporter(self.temporal_buffer, self.meter_provider):
            yield

    def shutdown(self) -> None:
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()


def init_telemetry(
    config: TelemetryConfig,
    *,
    span_exporters: Sequence[SpanExporter] = (),
    metric_readers: Sequence[MetricReader] = (),
    temporal_runtime_metrics: bool = True,
) -> Telemetry:
    """Install the tracer and meter providers (once per process) and trace ids in log records.

    Args:
        span_exporters: Extra exporters, each behind a simple (synchronous) processor: tests
            pass an `InMemorySpanExporter`.
        metric_readers: Extra metric readers (tests pass an `InMemoryMetricReader`).
        temporal_runtime_metrics: Route the Temporal SDK's own metrics here by making a
            runtime with a metric buffer the default. Clients connected *after* this call use it.
    """
    resource = Resource.create({"service.name": config.service_name})
    # Replay-safe: span ids made in workflow code are deterministic, so a replayed workflow
    # task does not emit duplicate spans (Temporal's OpenTelemetryPlugin needs this).
    tracer_provider = create_tracer_provider(resource=resource)
    for exporter in _span_exporters(config):
        tracer_provider.add_span_processor(BatchSpanProcessor(exporter))
    if config.traces == "console":
        tracer_provider.add_span_processor(SimpleSpanProcessor(_console_exporter(config)))
    for exporter in span_exporters:
        tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(tracer_provider)

    readers = [*_metric_readers(config), *metric_readers]
    meter_provider = MeterProvider(resource=resource, metric_readers=readers)
    metrics.set_meter_provider(meter_provider)

    buffer = None
    if temporal_runtime_metrics and readers:
        buffer = MetricBuffer(TEMPORAL_METRIC_BUFFER_SIZE)
        Runtime.set_default(Runtime(telemetry=TemporalTelemetryConfig(metrics=buffer)),
                            error_if_already_set=False)
    _trace_ids_in_logs()
    return Telemetry(config, tracer_provider, meter_provider, buffer)


def _span_exporters(config: TelemetryConfig) -> list[SpanExporter]:
    if config.traces != "otlp":
        return []
    if config.otlp_protocol == "http/protobuf":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    else:
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (  # type: ignore[assignment]
            OTLPSpanExporter,
        )
    return [OTLPSpanExporter()]


def _console_exporter(config: TelemetryConfig) -> ConsoleSpanExporter:
    if not config.console_file:
        return ConsoleSpanExporter()
    try:  # line-buffered, kept open for the process's life: spans are readable as they end
        out = open(config.console_file, "a", encoding="utf-8", buffering=1)  # noqa: SIM115
    except OSError as exc:
        raise ConfigurationError(f"{ENV_CONSOLE_FILE}={config.console_file!r}: {exc}") from None
    return ConsoleSpanExporter(out=out, formatter=lambda span: span.to_json(indent=None) + "\n")


def _metric_readers(config: TelemetryConfig) -> list[MetricReader]:
    if config.metrics == "console":
        return [PeriodicExportingMetricReader(ConsoleMetricExporter())]
    if config.metrics == "prometheus":
        from opentelemetry.exporter.prometheus import PrometheusMetricReader
        from prometheus_client import start_http_server

        start_http_server(config.metrics_port or 9464, addr="127.0.0.1")
        return [PrometheusMetricReader()]
    if config.metrics == "otlp":
        if config.otlp_protocol == "http/protobuf":
            from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        else:
            from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import (  # type: ignore[assignment]
                OTLPMetricExporter,
            )
        return [PeriodicExportingMetricReader(OTLPMetricExporter())]
    return []


def _trace_ids_in_logs() -> None:
    """Every log record gets `otelTraceID` / `otelSpanID`; startjob's CLI logs them."""
    from opentelemetry.instrumentation.logging import LoggingInstrumentor

    instrumentor = LoggingInstrumentor()
    if not instrumentor.is_instrumented_by_opentelemetry:
        # Recent versions inject the ids only when asked (`inject_trace_context`; older ones
        # ignore the flag) and by default add a handler for the OTel logs API to the root
        # logger: startjob installs no logger provider, and that handler would also keep the
        # basicConfig below from running, leaving the CLI without log lines.
        instrumentor.instrument(set_logging_format=False, inject_trace_context=True,
                                enable_log_auto_instrumentation=False)
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
