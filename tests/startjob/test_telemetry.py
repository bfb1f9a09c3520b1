"""Issue 4: one trace from start_job to every activity attempt, with failures marked, trace
ids in log records, and job metrics by type and outcome."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from pydantic import BaseModel

import tests.fixtures.test_jobs  # noqa: F401  registers the test job types
from activities import JobContext, job
from node_bridge import JobClient
from startjob.telemetry import LOG_FORMAT
from tests.fixtures.otel import installed
from tests.fixtures.otel import spans_named as _by_name
from workflows import JobWorker


class _Note(BaseModel):
    note: str = ""


@job("test-log-ids")
def _log_ids(settings: _Note, ctx: JobContext) -> None:
    """Logs one line through the job's logger; sync, so it runs in a worker thread."""
    ctx.logger.info("job note: %s", settings.note)


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Providers can be installed once per process: `installed()` shares them."""
    exporter = installed().spans
    exporter.clear()
    yield exporter
    exporter.clear()


async def test_one_trace_holds_start_job_workflow_and_every_attempt(
    spans: InMemorySpanExporter, job_client: JobClient, task_queue: str
) -> None:
    async with JobWorker(job_client, task_queue=task_queue):
        result = await job_client.start_job("test-flaky", {"failures": 2}, 4,
                                            idempotency_key="secret-key")
    assert result.success, result
    finished = spans.get_finished_spans()
    [root] = _by_name(finished, "startjob.start_job")
    [start_wf] = _by_name(finished, "StartWorkflow:StartJob")
    [run_wf] = _by_name(finished, "RunWorkflow:StartJob")
    [start_act] = _by_name(finished, "StartActivity:test-flaky")
    attempts = _by_name(finished, "RunActivity:test-flaky")
    assert len(attempts) == 3

    trace_ids = {s.context.trace_id for s in (root, start_wf, run_wf, start_act, *attempts)}
    assert trace_ids == {root.context.trace_id}
    assert start_wf.parent is not None and start_wf.parent.span_id == root.context.span_id
    assert run_wf.parent is not None and run_wf.parent.span_id == start_wf.context.span_id
    assert start_act.parent is not None and start_act.parent.span_id == run_wf.context.span_id
    assert run_wf.end_time is not None and root.end_time is not None
    assert run_wf.end_time <= root.end_time
    for attempt in attempts:
        assert attempt.parent is not None and attempt.parent.span_id == start_act.context.span_id
    statuses = sorted(a.status.status_code.name for a in attempts)
    assert statuses == ["ERROR", "ERROR", "UNSET"]
    assert all(a.events and a.events[0].name == "exception"
               for a in attempts if a.status.status_code == StatusCode.ERROR)

    attributes = dict(root.attributes or {})
    assert attributes["job.type"] == "test-flaky"
    assert attributes["job.item_index"] == 4
    assert attributes["job.outcome"] == "success"
    assert str(attributes["temporal.workflow_id"]).startswith("job/test-flaky/")
    # The key itself is part of the workflow id (contract); the key attribute is a hash.
    assert attributes["job.idempotency_key.hash"] not in ("", "secret-key")


async def test_a_failure_marks_the_span_and_carries_its_trace_id(
    spans: InMemorySpanExporter, job_client: JobClient, task_queue: str
) -> None:
    tracer = trace.get_tracer("test")
    with tracer.start_as_current_span("n8n node") as caller:
        async with JobWorker(job_client, task_queue=task_queue):
            result = await job_client.start_job("test-fail-always", {"tag": "password=hunter2"},
                                                0)
    assert not result.success
    assert result.error.trace_id == format(caller.get_span_context().trace_id, "032x")
    [root] = _by_name(spans.get_finished_spans(), "startjob.start_job")
    assert root.status.status_code == StatusCode.ERROR
    assert (root.attributes or {})["job.error.code"] == "JOB_FAILED"
    every_attribute = " ".join(str(dict(s.attributes or {})) for s in spans.get_finished_spans())
    assert "hunter2" not in every_attribute  # settings never become attributes


async def test_refusals_have_a_trace_id_too(spans: InMemorySpanExporter,
                                            job_client: JobClient) -> None:
    result = await job_client.start_job("no-such-job", {}, 0)
    assert not result.success and result.error.trace_id is not None
    assert len(result.error.trace_id) == 32


async def test_job_metrics_count_by_type_and_outcome(
    spans: InMemorySpanExporter, job_client: JobClient, task_queue: str
) -> None:
    async with JobWorker(job_client, task_queue=task_queue):
        await job_client.start_job("test-record", {}, 0)
        await job_client.start_job("test-non-retryable", {}, 0)
    data = installed().metrics.get_metrics_data()
    assert data is not None
    points: dict[tuple[str, str, str], float] = {}
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                for point in metric.data.data_points:
                    attrs = dict(point.attributes or {})
                    value = getattr(point, "value", None) or getattr(point, "count", 0)
                    points[(metric.name, str(attrs.get("job.type")),
                            str(attrs.get("job.outcome")))] = float(value)
    assert points[("startjob.jobs", "test-record", "success")] >= 1
    assert points[("startjob.jobs", "test-non-retryable", "JOB_FAILED")] >= 1
    assert points[("startjob.job.duration", "test-record", "success")] >= 1


async def test_log_records_carry_the_trace_and_span_ids(
    spans: InMemorySpanExporter, job_client: JobClient, task_queue: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    async with JobWorker(job_client, task_queue=task_queue):
        result = await job_client.start_job("test-log-ids", {"note": "hello"}, 0)
    assert result.success, result
    [record] = [r for r in caplog.records if r.getMessage().startswith("job note: hello")]
    [attempt] = _by_name(spans.get_finished_spans(), "RunActivity:test-log-ids")
    trace_id = format(attempt.context.trace_id, "032x")
    assert getattr(record, "otelTraceID", None) == trace_id
    assert getattr(record, "otelSpanID", None) == format(attempt.context.span_id, "016x")
    # The CLI's log format shows them on every line.
    assert f"[trace_id={trace_id} span_id=" in logging.Formatter(LOG_FORMAT).format(record)
