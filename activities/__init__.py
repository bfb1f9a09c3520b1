"""What a job does: the `@job` decorator, `JobContext`, and the activities that run jobs.

Define a job type in one step::

    @job("report-generator", retry_policy=RetryPolicy(maximum_attempts=5))
    def generate_report(settings: ReportSettings, ctx: JobContext) -> dict: ...

This package knows nothing of workflows or clients; `workflows` and `node_bridge` build on it.
"""

from ._activity import (
    DEFAULT_MAX_RESULT_BYTES,
    FAILURE_INFO_KEY,
    INVALID_SETTINGS_ERROR_TYPE,
    RESULT_TOO_LARGE_ERROR_TYPE,
    JobActivityInput,
    build_activity,
    describe_validation_error,
)
from ._context import JobContext, Progress
from ._definition import (
    DuplicateJobTypeError,
    JobDefinition,
    JobRegistry,
    default_registry,
    definition_of,
    job,
)

__all__ = [
    "DEFAULT_MAX_RESULT_BYTES",
    "FAILURE_INFO_KEY",
    "INVALID_SETTINGS_ERROR_TYPE",
    "RESULT_TOO_LARGE_ERROR_TYPE",
    "DuplicateJobTypeError",
    "JobActivityInput",
    "JobContext",
    "JobDefinition",
    "JobRegistry",
    "Progress",
    "build_activity",
    "default_registry",
    "definition_of",
    "describe_validation_error",
    "job",
]
