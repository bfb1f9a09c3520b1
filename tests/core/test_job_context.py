"""`JobContext` from the outside: progress heartbeats visible to `get_job` while a job runs,
the last checkpoint handed to the next attempt, sync jobs in worker threads, and cancellation
reaching the waiting caller as CANCELLED."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.common import RetryPolicy

from activities import JobContext, Progress, job
from node_bridge import ErrorCode, JobClient, JobStatus
from tests.fixtures import test_jobs
from tests.fixtures.helpers import eventually
from tests.fixtures.test_jobs import FAST_RETRY, count_runs
from workflows import JobWorker


class GateSettings(test_jobs.Traced):
    dir: str


@job("test-core-sync-gate", retry_policy=FAST_RETRY)
def sync_gate(settings: GateSettings, ctx: JobContext) -> dict[str, Any]:
    """A sync job: reports progress from its thread, then waits until the test opens the gate
    (creates `open` in `dir`)."""
    ctx.progress(0.25, "waiting at the gate", checkpoint={"stage": "gate"})
    gate = Path(settings.dir) / "open"
    while not gate.exists():
        if ctx.cancelled.wait(0.05):
            raise RuntimeError("cancelled at the gate")
    ctx.progress(1.0, "through")
    return {"thread": threading.current_thread().name,
            "mainThread": threading.current_thread() is threading.main_thread()}


@job("test-core-checkpoint", retry_policy=FAST_RETRY, heartbeat_timeout=timedelta(seconds=2))
def checkpointing(settings: test_jobs.Traced, ctx: JobContext) -> dict[str, Any]:
    """The first attempt reports a checkpoint and then hangs (so its heartbeat times out);
    later attempts return what they were handed."""
    if ctx.attempt == 1:
        ctx.progress(0.5, "half way", checkpoint={"rows": 500})
        ctx.cancelled.wait(60)  # released when the worker gives up on this attempt
        raise RuntimeError("the first attempt hung")
    last = ctx.last_progress
    return {"attempt": ctx.attempt, "last": None if last is None else last.model_dump()}


def _open_gate(folder: Path) -> None:
    (folder / "open").touch()


async def test_sync_job_progress_is_visible_while_running(
    job_client: JobClient, task_queue: str, tmp_path: Path
) -> None:
    key = f"gate-{task_queue}"
    workflow_id = f"job/test-core-sync-gate/{key}"
    async with JobWorker(job_client, task_queue=task_queue, jobs=[sync_gate]):
        waiting = asyncio.create_task(job_client.start_job(
            "test-core-sync-gate", {"dir": str(tmp_path)}, 7, idempotency_key=key))

        async def running_with_progress() -> JobStatus | None:
            status = await job_client.get_job(workflow_id)
            return status if status.progress is not None else None

        status = await eventually(running_with_progress, "progress of the running job")
        assert status.status == "RUNNING"
        assert status.job_type == "test-core-sync-gate" and status.item_index == 7
        assert status.attempt == 1
        assert status.progress == Progress(fraction=0.25, message="waiting at the gate",
                                           checkpoint={"stage": "gate"})
        assert status.result is None
        _open_gate(tmp_path)
        r = await asyncio.wait_for(waiting, 60)
        done = await job_client.get_job(workflow_id)
    assert r.success, r
    assert r.data["mainThread"] is False
    assert r.data["thread"].startswith(f"startjob-{task_queue}")  # the worker's sync pool
    assert done.status == "COMPLETED" and done.result == r


async def test_last_progress_comes_back_on_retry(job_client: JobClient,
                                                 task_queue: str) -> None:
    async with JobWorker(job_client, task_queue=task_queue, jobs=[checkpointing]):
        r = await job_client.start_job("test-core-checkpoint", {}, 0, wait_timeout=60)
    assert r.success, r
    assert r.data["attempt"] >= 2
    assert r.data["last"] == {"fraction": 0.5, "message": "half way",
                              "checkpoint": {"rows": 500}}


async def test_cancel_job_answers_the_waiting_caller_cancelled(
    job_client: JobClient, task_queue: str, temporal_client: Client, tmp_path: Path
) -> None:
    key = f"cancel-{task_queue}"
    workflow_id = f"job/test-slow/{key}"
    settings = {"dir": str(tmp_path), "tag": "cancel", "seconds": 30}
    async with JobWorker(job_client, task_queue=task_queue, jobs=[test_jobs.slow]):
        waiting = asyncio.create_task(job_client.start_job(
            "test-slow", settings, 3, idempotency_key=key,
            retry_policy=RetryPolicy(maximum_attempts=1)))

        async def progressing() -> bool:
            status = await job_client.get_job(workflow_id)
            return status.progress is not None and 0.0 <= status.progress.fraction < 1.0

        await eventually(progressing, "the slow job to report progress")
        await job_client.cancel_job(workflow_id)
        r = await asyncio.wait_for(waiting, 60)
    assert not r.success
    assert r.error.code == ErrorCode.CANCELLED
    assert r.error.retryable is False
    assert r.error.workflow_id == workflow_id and r.error.item_index == 3
    description = await temporal_client.get_workflow_handle(workflow_id).describe()
    assert description.status == WorkflowExecutionStatus.CANCELED
    assert count_runs(tmp_path, "cancel") == 1  # started once, never finished
