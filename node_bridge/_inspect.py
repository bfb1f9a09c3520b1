"""What Temporal knows about a job, read without changing it: its identity from the search
attributes, its state, the running attempt and its last progress, the attempts in its
history, and whether any worker polls its task queue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import common
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import (
    Client,
    WorkflowExecutionDescription,
    WorkflowExecutionStatus,
    WorkflowHandle,
)

from activities import Progress
from workflows import SA_ITEM_INDEX, SA_JOB_TYPE

from ._status import JobState

__all__ = ["attempts_from_history", "has_pollers", "job_identity", "job_state",
           "pending_progress"]

_STATES: dict[WorkflowExecutionStatus, JobState] = {
    WorkflowExecutionStatus.RUNNING: "RUNNING",
    WorkflowExecutionStatus.COMPLETED: "COMPLETED",
    WorkflowExecutionStatus.FAILED: "FAILED",
    WorkflowExecutionStatus.CANCELED: "CANCELED",
    WorkflowExecutionStatus.TERMINATED: "TERMINATED",
    WorkflowExecutionStatus.TIMED_OUT: "TIMED_OUT",
    WorkflowExecutionStatus.CONTINUED_AS_NEW: "CONTINUED_AS_NEW",
}


def job_state(description: WorkflowExecutionDescription) -> JobState:
    return _STATES.get(description.status or WorkflowExecutionStatus.RUNNING, "RUNNING")


def job_identity(attributes: common.TypedSearchAttributes, job_id: str) -> tuple[str, int]:
    """Job type and item index from the search attributes (the id as a fallback)."""
    job_type = attributes.get(SA_JOB_TYPE) or (job_id.split("/")[1] if job_id.count("/") >= 2
                                               else job_id)
    item_index = attributes.get(SA_ITEM_INDEX)
    return job_type, int(item_index) if item_index is not None else 0


async def pending_progress(
    client: Client, description: WorkflowExecutionDescription
) -> tuple[int | None, Progress | None]:
    """The running attempt and the last progress it reported (its heartbeat details)."""
    pending = list(description.raw_description.pending_activities)
    if not pending:
        return None, None
    activity = pending[0]
    progress = None
    if activity.heartbeat_details.payloads:
        try:
            values = await client.data_converter.decode(activity.heartbeat_details.payloads)
            progress = Progress.model_validate(values[0])
        except Exception:  # progress is a courtesy: an odd heartbeat must not fail a status
            progress = None
    return int(activity.attempt) or None, progress


async def attempts_from_history(handle: WorkflowHandle[Any, Any], rpc_timeout: timedelta) -> int:
    """The highest activity attempt started, for failures whose error carries no count."""
    attempts = 0
    try:
        async for event in handle.fetch_history_events(rpc_timeout=rpc_timeout):
            if event.HasField("activity_task_started_event_attributes"):
                attempts = max(attempts, event.activity_task_started_event_attributes.attempt)
    except Exception:
        return attempts
    return attempts


async def has_pollers(client: Client, queue: str, rpc_timeout: timedelta) -> bool:
    """Whether a worker polls `queue`; `True` when unknown, so no false "no worker" claim."""
    try:
        response = await client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=client.namespace,
                task_queue=TaskQueue(name=queue),
                task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
            ),
            timeout=rpc_timeout,
        )
    except Exception:
        return True
    return len(response.pollers) > 0
