"""The `StartJob` workflow: runs one job's activity durably and fails when it fails.

One workflow type serves every job type; the activity it runs is named by the job type, and the
retry policy and timeouts arrive resolved in the input (see `_options`), so this code needs no
registry and stays deterministic. Letting the activity's failure fail the workflow is deliberate:
the Temporal UI then shows the job as Failed, where ops can find and retry it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():

    from activities import JobActivityInput

    from ._options import JobOptions

__all__ = ["WORKFLOW_TYPE", "StartJob", "StartJobInput", "job_summary"]

WORKFLOW_TYPE = "StartJob"


class StartJobInput(JobActivityInput):
    """The one argument of `StartJob`: what the activity gets, plus the resolved options.
    New fields must have defaults: old histories replay."""

    options: JobOptions


def job_summary(job_type: str, item_index: int) -> str:
    """The one-line summary the Temporal UI shows for a job (workflow and activity)."""
    return f"{job_type} · item {item_index}"


@workflow.defn(name=WORKFLOW_TYPE)
class StartJob:
    @workflow.run
    async def run(self, input: StartJobInput) -> Any:
        options = input.options
        activity_input = JobActivityInput(
            job_type=input.job_type,
            settings=input.settings,
            item_index=input.item_index,
            execution_id=input.execution_id,
            node_name=input.node_name,
        )
        summary = job_summary(input.job_type, input.item_index)
        retry_policy = options.retry_policy.to_temporal()
        if options.local:
            return await workflow.execute_local_activity(
                input.job_type,
                activity_input,
                start_to_close_timeout=options.start_to_close_timeout,
                schedule_to_close_timeout=options.schedule_to_close_timeout,
                retry_policy=retry_policy,
                local_retry_threshold=timedelta(seconds=10),
                summary=summary,
            )
        return await workflow.execute_activity(
            input.job_type,
            activity_input,
            start_to_close_timeout=options.start_to_close_timeout,
            schedule_to_close_timeout=options.schedule_to_close_timeout,
            heartbeat_timeout=options.heartbeat_timeout,
            retry_policy=retry_policy,
            summary=summary,
        )
