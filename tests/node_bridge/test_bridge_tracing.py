"""Issue 4 over real HTTP: the bridge's server span continues the caller's `traceparent`,
start_job's and Temporal's spans join it, and every JobError the bridge answers carries the
trace id, refusals included, with or without an OpenTelemetry SDK installed."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from node_bridge import JobClient, JobClientConfig
from tests.fixtures.bridge_server import HTTP_TIMEOUT, bridge_config, new_job_client, running_bridge
from tests.fixtures.otel import installed, spans_named
from workflows import JOB_DATA_CONVERTER

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN_ID = "00f067aa0ba902b7"
TRACEPARENT = {"traceparent": f"00-{TRACE_ID}-{CALLER_SPAN_ID}-01"}
TOKEN = "tracing-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BODY_LIMIT = 4096  # bytes
SPAN_WAIT = 5.0  # seconds: the server span ends just after the response is sent
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
async def traced_url(workflow_env: WorkflowEnvironment) -> AsyncIterator[str]:
    """A bridge of its own: its JobClient is built after the SDK is installed, so it traces
    Temporal calls (the session's bridge may predate the install)."""
    installed()
    config = bridge_config(token=TOKEN, max_body_bytes=BODY_LIMIT)
    async with running_bridge(new_job_client(workflow_env), config) as url:
        yield url


@pytest.fixture
async def http(traced_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=traced_url, timeout=HTTP_TIMEOUT) as client:
        yield client


@pytest.fixture
def spans() -> InMemorySpanExporter:
    exporter = installed().spans
    exporter.clear()
    return exporter


async def _trace(spans: InMemorySpanExporter, trace_id: str,
                 until: str = "POST /v1/jobs") -> tuple[ReadableSpan, ...]:
    """The finished spans of one trace, once the span named `until` has ended."""
    wanted = int(trace_id, 16)
    deadline = asyncio.get_running_loop().time() + SPAN_WAIT
    while True:
        found = tuple(s for s in spans.get_finished_spans() if s.context.trace_id == wanted)
        if any(s.name == until for s in found) or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.02)


def _parent_of(span: ReadableSpan) -> int:
    assert span.parent is not None, f"{span.name} has no parent"
    return span.parent.span_id


async def test_a_failed_job_joins_the_callers_trace(http: httpx.AsyncClient,
                                                    spans: InMemorySpanExporter) -> None:
    response = await http.post("/v1/jobs", headers={**AUTH, **TRACEPARENT}, json={
        "jobType": "test-fail-always", "settings": {"tag": "password=hunter2"}, "itemIndex": 2})
    assert response.status_code == 200, response.text
    error = response.json()["error"]
    assert (error["code"], error["attempts"]) == ("JOB_FAILED", 3)
    assert error["traceId"] == TRACE_ID

    finished = await _trace(spans, TRACE_ID)
    [server] = spans_named(finished, "POST /v1/jobs")
    [root] = spans_named(finished, "startjob.start_job")
    [start_wf] = spans_named(finished, "StartWorkflow:StartJob")
    [run_wf] = spans_named(finished, "RunWorkflow:StartJob")
    [start_act] = spans_named(finished, "StartActivity:test-fail-always")
    attempts = spans_named(finished, "RunActivity:test-fail-always")
    assert server.kind is SpanKind.SERVER
    assert server.parent is not None and server.parent.is_remote
    assert _parent_of(server) == int(CALLER_SPAN_ID, 16)
    assert _parent_of(root) == server.context.span_id
    assert _parent_of(start_wf) == root.context.span_id
    assert _parent_of(run_wf) == start_wf.context.span_id
    assert _parent_of(start_act) == run_wf.context.span_id
    assert len(attempts) == 3
    assert {_parent_of(a) for a in attempts} == {start_act.context.span_id}
    assert {a.status.status_code for a in attempts} == {StatusCode.ERROR}
    assert root.status.status_code is StatusCode.ERROR
    assert "hunter2" not in " ".join(str(dict(s.attributes or {})) for s in finished)


async def test_server_spans_are_named_by_route_in_front_of_fastapi_and_behind_it(
        http: httpx.AsyncClient, spans: InMemorySpanExporter) -> None:
    """`POST /v1/jobs` is answered before FastAPI and `GET /v1/jobs/{id}` by it: both spans
    carry the route template (`http.route`, also the HTTP metrics' route label), never the
    raw path with its job id."""
    started = await http.post("/v1/jobs", headers={**AUTH, **TRACEPARENT},
                              json={"jobType": "echo", "settings": {"a": 1}, "itemIndex": 0,
                                    "idempotencyKey": "route-names"})
    assert started.status_code == 200, started.text
    status = await http.get("/v1/jobs/job%2Fecho%2Froute-names", headers={**AUTH, **TRACEPARENT})
    assert status.status_code == 200, status.text

    finished = await _trace(spans, TRACE_ID, until="GET /v1/jobs/{jobId:path}")
    [post] = spans_named(finished, "POST /v1/jobs")
    [get] = spans_named(finished, "GET /v1/jobs/{jobId:path}")
    assert (post.attributes or {}).get("http.route") == "/v1/jobs"
    assert (get.attributes or {}).get("http.route") == "/v1/jobs/{jobId:path}"
    assert {post.kind, get.kind} == {SpanKind.SERVER}


async def test_every_refusal_carries_the_callers_trace_id(http: httpx.AsyncClient) -> None:
    """400, 401, 404 (job type, job id, endpoint), 413 and 422 are answered by different layers
    (token guard, body limit, validation handlers, routes): all run inside the server span."""
    json_type = {"Content-Type": "application/json"}
    unknown = {"jobType": "no-such-job", "settings": {}, "itemIndex": 0}
    requests = [
        (400, http.build_request("POST", "/v1/jobs", content=b'{"jobType": ',
                                 headers={**AUTH, **json_type})),
        (401, http.build_request("POST", "/v1/jobs", json=unknown)),
        (401, http.build_request("POST", "/v1/jobs", json=unknown,
                                 headers={"Authorization": "Bearer wrong"})),
        (404, http.build_request("POST", "/v1/jobs", json=unknown, headers=AUTH)),
        (404, http.build_request("GET", "/v1/jobs/job%2Fecho%2Fmissing", headers=AUTH)),
        (404, http.build_request("GET", "/no-such-endpoint", headers=AUTH)),
        (413, http.build_request("POST", "/v1/jobs", content=b"x" * (BODY_LIMIT + 1),
                                 headers={**AUTH, **json_type})),
        (422, http.build_request("POST", "/v1/jobs", json={"jobType": "echo"}, headers=AUTH)),
    ]
    for status, request in requests:
        request.headers.update(TRACEPARENT)
        response = await http.send(request)
        assert response.status_code == status, (request.url, response.text)
        assert response.json()["error"]["traceId"] == TRACE_ID, (request.url, response.text)


async def test_without_a_traceparent_the_bridge_starts_the_trace(
    http: httpx.AsyncClient, spans: InMemorySpanExporter
) -> None:
    response = await http.post("/v1/jobs", headers=AUTH,
                               json={"jobType": "no-such-job", "settings": {}, "itemIndex": 0})
    assert response.status_code == 404
    trace_id = response.json()["error"]["traceId"]
    assert re.fullmatch(r"[0-9a-f]{32}", trace_id) and trace_id != "0" * 32
    [server] = spans_named(await _trace(spans, trace_id), "POST /v1/jobs")
    assert server.parent is None  # the bridge's span is the root


async def test_health_probes_are_not_traced(http: httpx.AsyncClient,
                                            spans: InMemorySpanExporter) -> None:
    for path in ("/healthz", "/readyz"):
        assert (await http.get(path, headers=TRACEPARENT)).status_code == 200
    await http.get("/v1/job-types", headers={**AUTH, **TRACEPARENT})
    finished = await _trace(spans, TRACE_ID, until="GET /v1/job-types")
    assert [s.name for s in finished if s.kind is SpanKind.SERVER] == ["GET /v1/job-types"]


async def test_unavailable_carries_the_callers_trace_id() -> None:
    installed()
    temporal = await Client.connect("127.0.0.1:1", lazy=True, data_converter=JOB_DATA_CONVERTER)
    client = JobClient(temporal, config=JobClientConfig(task_queue="tq-unreachable",
                                                        rpc_timeout=timedelta(seconds=2)))
    async with (running_bridge(client, bridge_config(with_worker=False)) as url,
                httpx.AsyncClient(base_url=url, timeout=HTTP_TIMEOUT) as http):
        response = await http.get("/v1/jobs/job%2Fecho%2Fx", headers=TRACEPARENT)
    assert response.status_code == 503, response.text
    assert response.json()["error"]["traceId"] == TRACE_ID


async def test_without_an_sdk_errors_still_carry_the_callers_trace_id(
    temporal_address: str,
) -> None:
    """`python -m node_bridge.bridge` installs no providers: its spans are no-ops, yet the
    caller's trace id goes through, and nothing breaks without one."""
    env = {**os.environ, "TEMPORAL_ADDRESS": temporal_address}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "node_bridge.bridge", "--port", "0", "--no-worker", cwd=REPO,
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    assert process.stdout is not None
    try:
        line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
        assert line.startswith("startjob bridge listening on "), line
        url = line.rsplit(" ", 1)[-1].strip()
        unknown = {"jobType": "no-such-job", "settings": {}, "itemIndex": 0}
        async with httpx.AsyncClient(base_url=url, timeout=HTTP_TIMEOUT) as http:
            traced = await http.post("/v1/jobs", json=unknown, headers=TRACEPARENT)
            invalid = await http.post("/v1/jobs", json={"jobType": "x"}, headers=TRACEPARENT)
            untraced = await http.post("/v1/jobs", json=unknown)
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)
    assert (traced.status_code, invalid.status_code, untraced.status_code) == (404, 422, 404)
    assert traced.json()["error"]["traceId"] == TRACE_ID
    assert invalid.json()["error"]["traceId"] == TRACE_ID
    assert untraced.json()["error"]["traceId"] is None
