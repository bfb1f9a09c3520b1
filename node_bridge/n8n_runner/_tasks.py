"""One n8n task as a startjob job: launch it with a key derived from n8n's context, bound it by
n8n's task timeout, and answer in n8n's protocol with the Result's data or JobError JSON."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from .._client import JobClient, job_workflow_id
from .._codes import ErrorCode
from .._config import ConfigurationError
from .._result import Failure, Success
from .._translate import ErrorContext, job_error
from ._config import ENV_TYPES, N8nRunnerConfig
from ._context import TaskContext, derive_idempotency_key
from .messages import RunnerTaskDone, RunnerTaskError

__all__ = ["RunningTask", "cancel_task_job", "offered_types", "run_task_job"]

log = logging.getLogger("node_bridge.n8n_runner")


@dataclass
class RunningTask:
    task_id: str
    task_type: str
    context: TaskContext = field(default_factory=TaskContext)
    workflow_id: str | None = None
    job: asyncio.Task[None] | None = None
    cancelled: bool = False


async def run_task_job(
    client: JobClient, config: N8nRunnerConfig, task: RunningTask, settings: Any
) -> RunnerTaskDone | RunnerTaskError:
    """Run the task's job and answer; past n8n's task timeout the job is cancelled."""
    ctx = task.context
    item_index = ctx.item_index if ctx.item_index is not None else 0
    key = derive_idempotency_key(task.task_type, ctx, settings) or uuid.uuid4().hex
    task.workflow_id = job_workflow_id(task.task_type, key)
    log.info("task %s: %s item %d of n8n execution %s (workflow %s, node %r) as %s",
             task.task_id, task.task_type, item_index, ctx.execution_id, ctx.workflow_id,
             ctx.node_name, task.workflow_id)
    deadline = config.task_timeout.total_seconds()
    try:
        result = await asyncio.wait_for(
            client.start_job(task.task_type, settings, item_index,
                             idempotency_key=key, execution_id=ctx.execution_id,
                             node_name=ctx.node_name, wait_timeout=deadline + 60),
            deadline)
    except TimeoutError:
        await cancel_task_job(client, task, f"n8n task timeout ({deadline:g}s)")
        error = job_error(ErrorCode.TIMEOUT, (
            f"the job ran past n8n's task timeout of {deadline:g}s "
            "(N8N_RUNNERS_TASK_TIMEOUT) and was cancelled"),
            ErrorContext(task.task_type, item_index, task.workflow_id), retryable=False,
            error_type="TaskTimeout")
        result = Failure(error=error)
    log.info("task %s of n8n execution %s: %s", task.task_id, ctx.execution_id,
             "ok" if result.success else f"{result.error.code}: {result.error.message}")
    return _answer(task.task_id, result)


async def cancel_task_job(client: JobClient, task: RunningTask, reason: str) -> None:
    if task.workflow_id is None:
        return
    try:
        await client.cancel_job(task.workflow_id, reason=reason)
        log.info("cancelled job %s of n8n execution %s: %s", task.workflow_id,
                 task.context.execution_id, reason)
    except Exception as err:  # not started yet, already finished, Temporal away
        log.warning("could not cancel job %s: %s", task.workflow_id, err)


def _answer(task_id: str, result: Success | Failure) -> RunnerTaskDone | RunnerTaskError:
    if isinstance(result, Success):
        return RunnerTaskDone(task_id=task_id, data={"result": result.data})
    return RunnerTaskError(task_id=task_id,
                           error=result.error.model_dump(mode="json", by_alias=True))


def offered_types(config: N8nRunnerConfig, client: JobClient) -> list[str]:
    """The task types to offer: the configured ones (all registered), else every job type."""
    registered = client.registry.names()
    if config.types is None:
        if not registered:
            raise ConfigurationError("no job types are registered: load them with --jobs")
        return registered
    unknown = [t for t in config.types if t not in client.registry]
    if unknown:
        raise ConfigurationError(f"{ENV_TYPES} names unregistered job types: "
                                 f"{', '.join(unknown)} (registered: {', '.join(registered)})")
    return list(config.types)
