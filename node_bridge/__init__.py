"""How a node reaches startjob: `JobClient`, the `Result` types and the error-code table
(and, built on them, the HTTP bridge and the n8n task runner).

    client = await JobClient.connect()
    result = await client.start_job("echo", {"hello": "world"}, 0)
"""

from ._client import DEFAULT_TEMPORAL_ADDRESS, JobClient, job_workflow_id
from ._codes import ErrorCode, ErrorCodeInfo
from ._config import ConfigurationError, JobClientConfig
from ._overrides import (
    ENV_CONFIG,
    ENV_JOB_OVERRIDES,
    OverridesSource,
    check_overrides,
    load_overrides,
)
from ._prepare import MAX_ITEM_INDEX, LaunchRefused
from ._result import Failure, JobError, Result, Success, result_adapter
from ._status import JobState, JobStatus
from ._telemetry import current_trace_id, with_tracing
from ._translate import ErrorContext, job_error, job_error_from_exception

__all__ = [
    "DEFAULT_TEMPORAL_ADDRESS",
    "ENV_CONFIG",
    "ENV_JOB_OVERRIDES",
    "MAX_ITEM_INDEX",
    "ConfigurationError",
    "ErrorCode",
    "ErrorCodeInfo",
    "ErrorContext",
    "Failure",
    "JobClient",
    "JobClientConfig",
    "JobError",
    "JobState",
    "JobStatus",
    "LaunchRefused",
    "OverridesSource",
    "Result",
    "Success",
    "check_overrides",
    "current_trace_id",
    "job_error",
    "job_error_from_exception",
    "job_workflow_id",
    "load_overrides",
    "result_adapter",
    "with_tracing",
]
