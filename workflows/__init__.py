"""How a job runs durably: the `StartJob` workflow, retry-policy resolution, the worker, replay.

Serve jobs in one step::

    async with JobWorker(client, jobs=[generate_report]):
        ...
"""

from ._converter import JOB_DATA_CONVERTER, job_data_converter, with_job_data_converter
from ._options import (
    DEFAULT_RETRY_POLICY,
    DEFAULT_START_TO_CLOSE_TIMEOUT,
    UNSET,
    JobOptions,
    JobOverride,
    RetryPolicySpec,
    resolve_job_options,
)
from ._search_attributes import (
    SA_EXECUTION_ID,
    SA_ITEM_INDEX,
    SA_JOB_TYPE,
    SA_NODE_NAME,
    SEARCH_ATTRIBUTES,
    search_attribute_flags,
)
from ._replay import ReplayOutcome, load_history_file, replay_histories
from ._worker import (
    DEFAULT_TASK_QUEUE,
    JobWorker,
    SupportsTemporalClient,
    is_served_in_process,
    temporal_client_of,
)
from ._workflow import WORKFLOW_TYPE, StartJob, StartJobInput, job_summary

__all__ = [
    "DEFAULT_RETRY_POLICY",
    "DEFAULT_START_TO_CLOSE_TIMEOUT",
    "DEFAULT_TASK_QUEUE",
    "JOB_DATA_CONVERTER",
    "SA_EXECUTION_ID",
    "SA_ITEM_INDEX",
    "SA_JOB_TYPE",
    "SA_NODE_NAME",
    "SEARCH_ATTRIBUTES",
    "UNSET",
    "WORKFLOW_TYPE",
    "JobOptions",
    "JobOverride",
    "JobWorker",
    "ReplayOutcome",
    "RetryPolicySpec",
    "StartJob",
    "StartJobInput",
    "SupportsTemporalClient",
    "is_served_in_process",
    "job_data_converter",
    "job_summary",
    "load_history_file",
    "replay_histories",
    "resolve_job_options",
    "search_attribute_flags",
    "temporal_client_of",
    "with_job_data_converter",
]
