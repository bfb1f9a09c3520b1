"""The runner against a fake n8n broker (real sockets) and the real Temporal dev server:
offer → accept → settings → task data → taskdone/taskerror, cancel, drain, reconnect."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from temporalio.client import Client, WorkflowExecutionStatus

import activities.examples  # noqa: F401  registers the example job types
import tests.fixtures.test_jobs  # noqa: F401  registers the test-* job types
from node_bridge import JobClient
from node_bridge.n8n_runner import (
    N8nRunner,
    N8nRunnerConfig,
    TaskContext,
    derive_idempotency_key,
    run_n8n_runner,
)
from node_bridge.n8n_runner.messages import (
    BrokerDrain,
    BrokerTaskCancel,
    BrokerTaskDataResponse,
    BrokerTaskOfferAccept,
    BrokerTaskSettings,
)
from tests.fixtures.helpers import eventually
from tests.fixtures.n8n_broker import FakeBroker

TYPES = ("echo", "test-fail-always", "test-slow")


@dataclass
class Harness:
    broker: FakeBroker
    runner: N8nRunner
    client: JobClient

    async def run_task(self, task_type: str, settings: Any, *, item_index: int = 2,
                       execution_id: str | None = None) -> tuple[str, Any]:
        """Play n8n's part for one task up to the runner's answer; (task id, answer)."""
        task_id = f"t-{uuid.uuid4().hex[:8]}"
        await self.start_task(task_id, task_type, settings, item_index=item_index,
                              execution_id=execution_id)
        answer = await self.broker.wait_for_msg(
            "runner:taskdone", lambda m: m.task_id == task_id, timeout=30)
        return task_id, answer

    async def start_task(self, task_id: str, task_type: str, settings: Any, *,
                         item_index: int = 2, execution_id: str | None = None) -> None:
        for _attempt in range(5):  # an offer may lapse just before it is accepted
            mark = len(self.broker.messages)
            offer = await self.broker.wait_for_msg("runner:taskoffer", latest=True,
                                                   predicate=lambda m: m.task_type == task_type)
            await self.broker.send(BrokerTaskOfferAccept(task_id=task_id,
                                                         offer_id=offer.offer_id))
            answer = await self.broker.wait_for_msg(
                ("runner:taskaccepted", "runner:taskrejected"),
                lambda m: m.task_id == task_id, after=mark, timeout=2)
            if answer.type == "runner:taskaccepted":
                break
        else:
            raise AssertionError(f"the runner rejected task {task_id} five times")
        await self.broker.send(BrokerTaskSettings(task_id=task_id, settings=settings))
        request = await self.broker.wait_for_msg("runner:taskdatarequest",
                                                 lambda m: m.task_id == task_id)
        await self.broker.send(BrokerTaskDataResponse(
            task_id=task_id, request_id=request.request_id,
            data=task_data(item_index, execution_id or f"exec-{uuid.uuid4().hex[:6]}")))


def task_data(item_index: int, execution_id: str) -> dict[str, Any]:
    """The parts of n8n 2.8.4's task data response the runner reads."""
    return {
        "itemIndex": item_index, "activeNodeName": "Start Job", "runIndex": 0,
        "node": {"name": "Start Job", "type": "CUSTOM.startJob"},
        "workflow": {"id": "wf1", "name": "test"},
        "additionalData": {"executionId": execution_id},
    }


@pytest.fixture
async def harness(job_client: JobClient) -> AsyncIterator[Harness]:
    async with FakeBroker() as broker:
        config = N8nRunnerConfig(broker_uri=broker.uri, auth_token=broker.token,
                                 types=TYPES, max_concurrency=2,
                                 offer_valid_for=timedelta(seconds=1),
                                 reconnect_max=timedelta(seconds=0.5),
                                 shutdown_grace=timedelta(seconds=1))
        stop = asyncio.Event()
        ready: list[N8nRunner] = []
        serving = asyncio.create_task(run_n8n_runner(config, client=job_client, stop=stop,
                                                     with_worker=True, on_ready=ready.append))
        await eventually(lambda: _registered(ready), "the runner to register")
        try:
            yield Harness(broker, ready[0], job_client)
        finally:
            stop.set()
            await asyncio.wait_for(serving, 20)


async def _registered(ready: list[N8nRunner]) -> bool:
    return bool(ready) and ready[0].registered.is_set()


async def test_registers_with_its_job_types(harness: Harness) -> None:
    info = await harness.broker.wait_for_msg("runner:info")
    assert info.name == "startjob"
    assert info.types == TYPES


async def test_offers_stay_open_up_to_the_concurrency(harness: Harness) -> None:
    first = await harness.broker.wait_for_msg("runner:taskoffer")
    assert first.valid_for >= 1000
    await asyncio.sleep(1.8)  # the 1 s offers lapse and are offered again
    offers = [m for m in harness.broker.messages if m.type == "runner:taskoffer"]
    per_type = {t: sum(1 for m in offers if m.task_type == t) for t in TYPES}
    assert all(count > 2 for count in per_type.values()), per_type


async def test_a_task_runs_the_job_and_answers_its_data(harness: Harness) -> None:
    _, done = await harness.run_task("echo", {"hello": "n8n"}, execution_id="exec-42")
    assert done.data == {"result": {"hello": "n8n"}}
    # The job id comes from n8n's execution id, node and item index (see _context.py).
    key = derive_idempotency_key("echo", TaskContext(2, "Start Job", "exec-42"),
                                 {"hello": "n8n"})
    status = await harness.client.get_job(f"job/echo/{key}")
    assert status.status == "COMPLETED"
    assert status.item_index == 2


async def test_a_retry_of_the_same_item_attaches_to_the_job(harness: Harness) -> None:
    settings = {"tag": "once", "seconds": 0.2}
    _, first = await harness.run_task("test-slow", settings, execution_id="exec-retry")
    _, second = await harness.run_task("test-slow", settings, execution_id="exec-retry")
    assert first.data == second.data  # the same run's result, not a second run


async def test_a_failing_job_answers_the_job_error(harness: Harness) -> None:
    task_id = "t-fail"
    await harness.start_task(task_id, "test-fail-always", {"tag": "f"}, item_index=1)
    error = await harness.broker.wait_for_msg("runner:taskerror",
                                              lambda m: m.task_id == task_id, timeout=30)
    assert error.error["code"] == "JOB_FAILED"
    assert error.error["jobType"] == "test-fail-always"
    assert error.error["itemIndex"] == 1
    assert error.error["attempts"] == 3
    assert "boom" in error.error["message"]
    assert error.error["workflowId"].startswith("job/test-fail-always/")


async def test_invalid_settings_answer_an_error_without_launching(harness: Harness) -> None:
    task_id = "t-invalid"
    await harness.start_task(task_id, "test-slow", {"seconds": -1})
    error = await harness.broker.wait_for_msg("runner:taskerror",
                                              lambda m: m.task_id == task_id)
    assert error.error["code"] == "INVALID_SETTINGS"


async def test_taskcancel_cancels_the_workflow(harness: Harness,
                                               temporal_client: Client) -> None:
    task_id = "t-cancel"
    await harness.start_task(task_id, "test-slow", {"seconds": 60})
    runner = harness.runner

    async def workflow_id() -> str | None:
        task = runner._tasks.get(task_id)
        return task.workflow_id if task else None

    job_id = await eventually(workflow_id, "the job to start")
    handle = temporal_client.get_workflow_handle(job_id)
    await eventually(lambda: _status_is(handle, WorkflowExecutionStatus.RUNNING), "running")
    await harness.broker.send(BrokerTaskCancel(task_id=task_id, reason="cancelled by test"))
    await eventually(lambda: _status_is(handle, WorkflowExecutionStatus.CANCELED), "cancelled")


async def test_drain_stops_offers(harness: Harness) -> None:
    await harness.broker.wait_for_msg("runner:taskoffer")
    await harness.broker.send(BrokerDrain())
    await asyncio.sleep(0.3)  # offers already in flight
    mark = len(harness.broker.messages)
    await asyncio.sleep(1.5)
    assert [m.type for m in harness.broker.messages[mark:]] == []


async def test_reconnects_after_the_broker_restarts(harness: Harness) -> None:
    await harness.broker.restart()
    await eventually(lambda: _connections_at_least(harness.broker, 2), "a reconnect",
                     within=20)
    _, done = await harness.run_task("echo", {"after": "restart"})
    assert done.data == {"result": {"after": "restart"}}


async def _status_is(handle: Any, status: WorkflowExecutionStatus) -> bool:
    return bool((await handle.describe()).status == status)


async def _connections_at_least(broker: FakeBroker, count: int) -> bool:
    return broker.connections >= count
