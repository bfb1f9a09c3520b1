"""Job types, health probes, the OpenAPI document, and 503 when Temporal is unreachable."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from activities import JobDefinition, JobRegistry
from node_bridge import ErrorCode, JobClient, JobClientConfig
from tests.fixtures.bridge_server import HTTP_TIMEOUT, bridge_config, new_job_client, running_bridge
from workflows import JOB_DATA_CONVERTER, JobOverride


async def test_job_types_list_schemas_and_retry_defaults(http: httpx.AsyncClient) -> None:
    response = await http.get("/v1/job-types")
    assert response.status_code == 200
    types = {t["name"]: t for t in response.json()["jobTypes"]}
    assert {"echo", "test-slow", "test-fail-always", "report-generator"} <= set(types)
    slow = types["test-slow"]
    assert "seconds" in slow["settingsSchema"]["properties"]
    assert slow["resultSchema"]["type"] == "object"
    assert slow["retryPolicy"]["maximumAttempts"] == 5
    assert slow["local"] is False
    assert slow["taskQueue"].startswith("tq-bridge-")
    assert types["echo"]["local"] is True
    assert types["test-fail-always"]["retryPolicy"]["maximumAttempts"] == 3


async def test_job_types_apply_ops_overrides(workflow_env: WorkflowEnvironment) -> None:
    overrides = {"test-slow": JobOverride(maximum_attempts=9)}
    client = new_job_client(workflow_env, overrides=overrides)
    async with (running_bridge(client, bridge_config(with_worker=False)) as url,
                httpx.AsyncClient(base_url=url, timeout=HTTP_TIMEOUT) as http):
        response = await http.get("/v1/job-types")
    types = {t["name"]: t for t in response.json()["jobTypes"]}
    assert types["test-slow"]["retryPolicy"]["maximumAttempts"] == 9
    assert types["test-fail-always"]["retryPolicy"]["maximumAttempts"] == 3


async def test_health_probes(http: httpx.AsyncClient) -> None:
    assert (await http.get("/healthz")).json() == {"status": "ok"}
    ready = await http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok"}


async def test_openapi_describes_requests_and_results(http: httpx.AsyncClient) -> None:
    response = await http.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    paths = document["paths"]
    assert {"/v1/jobs", "/v1/jobs/{jobId}", "/v1/jobs/{jobId}/cancel", "/v1/job-types",
            "/healthz", "/readyz"} <= set(paths)
    schemas = document["components"]["schemas"]
    request = schemas["StartJobRequest"]
    assert set(request["required"]) == {"jobType", "settings", "itemIndex"}
    assert {"idempotencyKey", "executionId", "nodeName", "waitSeconds"} <= set(
        request["properties"])
    assert {"code", "message", "jobType", "itemIndex", "workflowId"} <= set(
        schemas["JobError"]["properties"])
    parameter = paths["/v1/jobs/{jobId}"]["get"]["parameters"]
    assert {p["name"] for p in parameter} == {"jobId", "waitSeconds"}
    start = paths["/v1/jobs"]["post"]["responses"]
    assert {"200", "202", "400", "404", "413", "422", "503"} <= set(start)


class _BrokenRegistry(JobRegistry):
    def __iter__(self) -> Iterator[JobDefinition]:
        raise RuntimeError("registry bug")


async def test_a_bug_answers_500_with_a_result(workflow_env: WorkflowEnvironment) -> None:
    client = JobClient(workflow_env.client, registry=_BrokenRegistry(), overrides={})
    async with (running_bridge(client, bridge_config(with_worker=False)) as url,
                httpx.AsyncClient(base_url=url, timeout=HTTP_TIMEOUT) as http):
        response = await http.get("/v1/job-types")
    assert response.status_code == 500
    error = response.json()["error"]
    assert (error["code"], error["errorType"]) == (ErrorCode.JOB_FAILED, "RuntimeError")
    assert "registry bug" in error["message"]


class _BrokenClient(JobClient):
    async def start_job(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("client bug")


async def test_a_bug_in_front_of_fastapi_answers_500_with_a_result(
        workflow_env: WorkflowEnvironment) -> None:
    """`POST /v1/jobs` is served before FastAPI (and its exception handlers) sees it."""
    client = _BrokenClient(workflow_env.client, overrides={})
    async with (running_bridge(client, bridge_config(with_worker=False)) as url,
                httpx.AsyncClient(base_url=url, timeout=HTTP_TIMEOUT) as http):
        response = await http.post("/v1/jobs",
                                    json={"jobType": "echo", "settings": {}, "itemIndex": 0})
    assert response.status_code == 500
    error = response.json()["error"]
    assert (error["code"], error["errorType"]) == (ErrorCode.JOB_FAILED, "RuntimeError")
    assert "client bug" in error["message"]


@pytest.fixture(scope="module")
async def unreachable_url() -> AsyncIterator[str]:
    """A bridge whose Temporal is a port nobody listens on (connected lazily)."""
    temporal = await Client.connect("127.0.0.1:1", lazy=True, data_converter=JOB_DATA_CONVERTER)
    client = JobClient(temporal, config=JobClientConfig(task_queue="tq-unreachable",
                                                        rpc_timeout=timedelta(seconds=2)))
    async with running_bridge(client, bridge_config(with_worker=False)) as url:
        yield url


async def test_unreachable_temporal_is_503(unreachable_url: str) -> None:
    async with httpx.AsyncClient(base_url=unreachable_url, timeout=HTTP_TIMEOUT) as http:
        assert (await http.get("/healthz")).status_code == 200
        requests = [
            http.build_request("GET", "/readyz"),
            http.build_request("POST", "/v1/jobs",
                               json={"jobType": "echo", "settings": {}, "itemIndex": 0}),
            http.build_request("GET", "/v1/jobs/job%2Fecho%2Fx", params={"waitSeconds": 1}),
            http.build_request("GET", "/v1/jobs/job%2Fecho%2Fx"),
            http.build_request("POST", "/v1/jobs/job%2Fecho%2Fx/cancel"),
        ]
        for request in requests:
            response = await http.send(request)
            assert response.status_code == 503, (request.url, response.text)
            body = response.json()
            assert body["success"] is False
            assert body["error"]["code"] == ErrorCode.UNAVAILABLE
            assert body["error"]["retryable"] is True
        # Refusals that need no Temporal still answer as usual.
        unknown = await http.post("/v1/jobs", json={"jobType": "nope", "settings": {},
                                                    "itemIndex": 0})
        assert unknown.status_code == 404
