"""`this.startJob` in a real n8n 2.8.4 runs on Temporal through the startjob runner.

The tests run in file order on one n8n: the seed's per-item loop through the "Start Job" node
and through a custom node calling `this.startJob`, a failing item, 12 parallel webhook
executions, a job type nobody offers, a task timeout; then n8n restarts (in external mode, on
the same broker port) and the same runner serves it again, and n8n's `broker:taskcancel`
cancels the workflow."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pydantic import BaseModel
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from activities import JobRegistry, job
from node_bridge import JobClient, JobClientConfig
from node_bridge.n8n_runner import N8nRunner, N8nRunnerConfig
from node_bridge.n8n_runner._auth import request_grant
from tests.fixtures.helpers import eventually
from tests.n8n.conftest import RUNNER_TASK_TIMEOUT, registered_runner
from tests.n8n.n8n_process import TOKEN, N8n, n8n_binary
from tests.n8n.workflows import CODE_PATH, NODE_PATH

HTTP_TIMEOUT = 120.0

pytestmark = pytest.mark.skipif(not n8n_binary(), reason="STARTJOB_N8N_BIN is not set "
                                "(node_bridge/n8n/test-n8n.sh sets it)")


async def call(n8n: N8n, path: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """POST the items to a webhook; the last node's output items (their JSON)."""
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
        response = await http.post(f"{n8n.url}/webhook/{path}", json={"items": items})
    assert response.status_code == 200, response.text
    body = response.json()
    return body if isinstance(body, list) else [body]


SEED_ITEMS = [
    {"jobType": "report-generator", "settings": {"userId": 1, "action": "seed"}},
    {"jobType": "report-generator", "settings": {"userId": 2, "action": "seed"}},
    {"jobType": "test-fail-always", "settings": {"tag": "seed"}},
]


def assert_job_failed(error: dict[str, Any], item_index: int) -> None:
    assert error["code"] == "JOB_FAILED", error
    assert error["jobType"] == "test-fail-always"
    assert error["itemIndex"] == item_index
    assert error["attempts"] == 3
    assert "boom" in error["message"]
    assert error["workflowId"].startswith("job/test-fail-always/")


async def test_seed_loop_through_the_start_job_node(n8n: N8n, runner: N8nRunner) -> None:
    out = await call(n8n, NODE_PATH, SEED_ITEMS)
    assert len(out) == 3
    for index, user in ((0, 1), (1, 2)):
        assert "error" not in out[index], out[index]
        assert f"user-{user}-seed-" in out[index]["path"]  # the result merged into the item
        assert out[index]["url"].startswith("file://")
    assert_job_failed(out[2]["error"], 2)  # Continue On Fail: the item carries the JobError


async def test_seed_loop_through_a_code_node(n8n: N8n, runner: N8nRunner) -> None:
    out = await call(n8n, CODE_PATH, SEED_ITEMS)
    assert [("result" in item, "error" in item) for item in out] == [
        (True, False), (True, False), (False, True)]
    assert out[0]["result"]["rows"] == 0
    assert "user-2-seed-" in out[1]["result"]["path"]
    assert_job_failed(out[2]["error"], 2)  # {ok: false, error: {code: 'JOB_FAILED', ...}}


async def test_twelve_parallel_webhook_executions(n8n: N8n, runner: N8nRunner) -> None:
    run = uuid.uuid4().hex[:6]

    async def one(user: int) -> list[dict[str, Any]]:
        settings = {"userId": user, "action": f"par-{run}-{user}"}
        return await call(n8n, NODE_PATH, [{"jobType": "report-generator",
                                             "settings": settings}])

    outs = await asyncio.gather(*(one(user) for user in range(12)))
    for user, out in enumerate(outs):
        assert len(out) == 1 and "error" not in out[0], out
        assert f"user-{user}-par-{run}-{user}-" in out[0]["path"]


LAUNCHED_ONLY = JobRegistry()  # job types only the launcher-started runner below offers


class Greeting(BaseModel):
    name: str


@job("launched-greeting", registry=LAUNCHED_ONLY, local=True)
async def launched_greeting(settings: Greeting) -> dict[str, str]:
    return {"greeting": f"hello {settings.name}", "servedBy": "launched runner"}


async def test_a_runner_started_with_a_launchers_grant_token(
        n8n: N8n, runner: N8nRunner, workflow_env: WorkflowEnvironment) -> None:
    """n8n's task-runner launcher gets a grant from the broker and starts the runner with
    `N8N_RUNNERS_GRANT_TOKEN` and no auth token: the runner connects with that single-use grant
    and serves n8n's tasks. Its job type is one no other runner offers, so the item below can
    only have been run by it."""
    grant = await request_grant(n8n.broker_uri, TOKEN)  # what the launcher does
    config = N8nRunnerConfig(broker_uri=n8n.broker_uri, grant_token=grant, max_concurrency=2)
    assert config.auth_token is None
    client = JobClient(workflow_env.client, registry=LAUNCHED_ONLY,
                       config=JobClientConfig(task_queue="n8n-launched"))
    async with registered_runner(config, client):
        out = await call(n8n, NODE_PATH, [{"jobType": "launched-greeting",
                                           "settings": {"name": "n8n"}}])
    assert out == [{"jobType": "launched-greeting", "settings": {"name": "n8n"},
                    "greeting": "hello n8n", "servedBy": "launched runner"}], out


async def test_a_job_type_no_runner_offers(n8n: N8n, runner: N8nRunner) -> None:
    out = await call(n8n, NODE_PATH, [{"jobType": "nobody-offers-this", "settings": {}}])
    error = out[0]["error"]
    assert error["code"] == "UNAVAILABLE"
    assert "no startjob runner is connected" in error["message"]


async def slow_task_is_cancelled(n8n: N8n, temporal_client: Client, tag: str) -> float:
    """Run test-slow (60 s) past n8n's 5 s task timeout; seconds until its workflow is
    CANCELED in Temporal."""
    started = time.monotonic()
    since = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    out = await call(n8n, NODE_PATH, [{"jobType": "test-slow",
                                       "settings": {"seconds": 60, "tag": tag}}])
    assert out[0]["error"]["code"] == "TIMEOUT", out  # n8n's own task-timeout error
    query = f"JobType='test-slow' AND StartTime > '{since}'"

    async def cancelled() -> bool | None:
        found = [wf async for wf in temporal_client.list_workflows(query)]
        return (bool(found) and all(wf.status == WorkflowExecutionStatus.CANCELED
                                   for wf in found)) or None

    await eventually(cancelled, "the slow job's workflow to be CANCELED", within=60)
    return time.monotonic() - started


async def test_task_timeout_cancels_the_workflow_in_internal_mode(
        n8n: N8n, runner: N8nRunner, temporal_client: Client) -> None:
    # In internal mode n8n's broker sends the runner no taskcancel on a task timeout, so the
    # runner's own deadline (N8N_RUNNERS_TASK_TIMEOUT, here 20 s) cancels the workflow.
    took = await slow_task_is_cancelled(n8n, temporal_client, "internal")
    assert took >= RUNNER_TASK_TIMEOUT - 1


async def test_runner_survives_n8n_restarting(n8n: N8n, runner: N8nRunner,
                                              temporal_client: Client) -> None:
    await n8n.stop()
    await eventually(lambda: _false_or_none(runner.registered.is_set()),
                     "the runner to notice", within=30)
    n8n.mode = "external"  # n8n's broker now sends broker:taskcancel on a task timeout
    await n8n.start()
    await eventually(lambda: _true_or_none(runner.registered.is_set()),
                     "the runner to register again", within=60)
    out = await call(n8n, NODE_PATH, [{"jobType": "echo", "settings": {"back": True}}])
    assert out[0].get("back") is True, out
    took = await slow_task_is_cancelled(n8n, temporal_client, "external")
    assert took < RUNNER_TASK_TIMEOUT - 2  # n8n's taskcancel, not the runner's own deadline


async def _true_or_none(value: bool) -> bool | None:
    return value or None


async def _false_or_none(value: bool) -> bool | None:
    return (not value) or None
