"""What ops do to jobs after the fact: find them, retry failed ones, link to the Temporal UI.

Retry is a Temporal *reset* to the first workflow task: the workflow id stays, so a caller that
attaches by idempotency key sees the new outcome, and the history keeps the reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from temporalio.api.common.v1 import WorkflowExecution as WorkflowExecutionRef
from temporalio.api.enums.v1 import EventType
from temporalio.api.workflowservice.v1 import ResetWorkflowExecutionRequest
from temporalio.client import Client, WorkflowExecution, WorkflowExecutionStatus

from ._search_attributes import SA_EXECUTION_ID, SA_ITEM_INDEX, SA_JOB_TYPE, SA_NODE_NAME
from ._workflow import WORKFLOW_TYPE

__all__ = [
    "DEFAULT_UI_URL",
    "STATUS_NAMES",
    "JobSummary",
    "RetryRefused",
    "build_query",
    "list_jobs",
    "retry_job",
    "ui_link",
]

DEFAULT_UI_URL = "http://localhost:8233"

STATUS_NAMES: dict[str, str] = {
    "running": "Running",
    "failed": "Failed",
    "completed": "Completed",
    "canceled": "Canceled",
    "terminated": "Terminated",
    "timed-out": "TimedOut",
}
"""CLI status names → Temporal's `ExecutionStatus` values in list queries."""


class RetryRefused(Exception):
    """The job was not retried (not failed, or nothing to reset to); the message says why."""


@dataclass(frozen=True)
class JobSummary:
    workflow_id: str
    run_id: str
    job_type: str | None
    item_index: int | None
    execution_id: str | None
    node_name: str | None
    status: str
    start_time: datetime
    close_time: datetime | None
    task_queue: str

    @classmethod
    def from_execution(cls, execution: WorkflowExecution) -> JobSummary:
        attributes = execution.typed_search_attributes
        status = execution.status or WorkflowExecutionStatus.RUNNING
        return cls(
            workflow_id=execution.id,
            run_id=execution.run_id,
            job_type=attributes.get(SA_JOB_TYPE),
            item_index=attributes.get(SA_ITEM_INDEX),
            execution_id=attributes.get(SA_EXECUTION_ID),
            node_name=attributes.get(SA_NODE_NAME),
            status=status.name,
            start_time=execution.start_time,
            close_time=execution.close_time,
            task_queue=execution.task_queue,
        )

    def to_json(self, ui_url: str, namespace: str) -> dict[str, Any]:
        return {
            "workflowId": self.workflow_id,
            "runId": self.run_id,
            "jobType": self.job_type,
            "itemIndex": self.item_index,
            "executionId": self.execution_id,
            "nodeName": self.node_name,
            "status": self.status,
            "startTime": self.start_time.isoformat(),
            "closeTime": self.close_time.isoformat() if self.close_time else None,
            "taskQueue": self.task_queue,
            "uiUrl": ui_link(ui_url, namespace, self.workflow_id, self.run_id),
        }


def build_query(
    *,
    job_type: str | None = None,
    status: str | None = None,
    since: timedelta | None = None,
    raw: str | None = None,
    now: datetime | None = None,
) -> str:
    """A visibility query for StartJob workflows; raises ValueError for an unknown status."""
    clauses = [f"WorkflowType = '{WORKFLOW_TYPE}'"]
    if job_type:
        clauses.append(f"{SA_JOB_TYPE.name} = '{_quoted(job_type)}'")
    if status:
        if status.lower() not in STATUS_NAMES:
            raise ValueError(f"unknown status {status!r}; use one of {', '.join(STATUS_NAMES)}")
        clauses.append(f"ExecutionStatus = '{STATUS_NAMES[status.lower()]}'")
    if since is not None:
        start = (now or datetime.now(UTC)) - since
        clauses.append(f"StartTime > '{start.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}'")
    if raw:
        clauses.append(f"({raw})")
    return " AND ".join(clauses)


async def list_jobs(client: Client, query: str, *, limit: int = 100) -> list[JobSummary]:
    """Newest first, at most `limit`."""
    jobs = []
    async for execution in client.list_workflows(query, limit=limit):
        jobs.append(JobSummary.from_execution(execution))
    return jobs


async def retry_job(
    client: Client, workflow_id: str, *, reason: str, force: bool = False,
    allowed_statuses: Sequence[WorkflowExecutionStatus] = (
        WorkflowExecutionStatus.FAILED, WorkflowExecutionStatus.TIMED_OUT,
        WorkflowExecutionStatus.TERMINATED, WorkflowExecutionStatus.CANCELED,
    ),
) -> str:
    """Reset the job's latest run to its first workflow task; returns the new run id.

    Running or completed jobs are refused unless `force` (a reset of a running job terminates
    the current attempt; of a completed one, runs the job again).
    """
    handle = client.get_workflow_handle(workflow_id)
    description = await handle.describe()
    status = description.status or WorkflowExecutionStatus.RUNNING
    if not force and status not in allowed_statuses:
        raise RetryRefused(f"{workflow_id} is {status.name}, not failed: left alone "
                           "(--force retries it anyway)")
    first_task = None
    async for event in client.get_workflow_handle(
        workflow_id, run_id=description.run_id
    ).fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            first_task = event.event_id
            break
    if first_task is None:
        raise RetryRefused(f"{workflow_id} has no completed workflow task to reset to")
    response = await client.workflow_service.reset_workflow_execution(
        ResetWorkflowExecutionRequest(
            namespace=client.namespace,
            workflow_execution=WorkflowExecutionRef(workflow_id=workflow_id,
                                                    run_id=description.run_id),
            reason=reason,
            workflow_task_finish_event_id=first_task,
            request_id=str(uuid.uuid4()),
        )
    )
    return str(response.run_id)


def ui_link(ui_url: str, namespace: str, workflow_id: str, run_id: str | None = None) -> str:
    base = f"{ui_url.rstrip('/')}/namespaces/{quote(namespace, safe='')}/workflows/"
    path = quote(workflow_id, safe="")
    return f"{base}{path}/{run_id}/history" if run_id else f"{base}{path}"


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")
