"""The baseline: a job run with plain `temporalio`, the way the official samples do it.

A `@workflow.defn` runs one `@activity.defn` with `workflow.execute_activity` and a
`start_to_close_timeout`; the caller uses `client.execute_workflow` (no eager start) and a
`Worker` with default options serves the task queue on the same server. Nothing from startjob
is imported here, so the baseline cannot pick up our tuning by accident.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import Worker

__all__ = ["BaselineEcho", "baseline_worker", "echo_activity", "run_baseline"]


@activity.defn(name="baseline_echo")
async def echo_activity(settings: dict[str, Any]) -> dict[str, Any]:
    return settings


@workflow.defn(name="BaselineEcho")
class BaselineEcho:
    @workflow.run
    async def run(self, settings: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await workflow.execute_activity(
            echo_activity, settings, start_to_close_timeout=timedelta(seconds=30)
        )
        return result


def baseline_worker(client: Client, task_queue: str) -> Worker:
    """A `Worker` with the SDK's default options, as in the samples."""
    return Worker(client, task_queue=task_queue, workflows=[BaselineEcho],
                  activities=[echo_activity])


async def run_baseline(client: Client, task_queue: str, settings: dict[str, Any]) -> Any:
    """One job, started and awaited the samples' way."""
    return await client.execute_workflow(
        BaselineEcho.run, settings, id=f"baseline-{uuid.uuid4()}", task_queue=task_queue
    )
