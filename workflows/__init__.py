"""How a job runs durably: the `StartJob` workflow, retry-policy resolution, the worker, replay.

Serve jobs in one step::

    async with JobWorker(client, jobs=[generate_report]):
        ...
"""

from ._codec import (
    ENCRYPTED_ENCODING,
    ENV_ENCRYPTION_KEYS,
    ENV_ENCRYPTION_KEYS_FILE,
    KEY_ID_METADATA,
    EncryptionCodec,
    EncryptionConfigError,
    PayloadDecryptionError,
    generate_key,
)
from ._converter import JOB_DATA_CONVERTER, job_data_converter, with_job_data_converter
from ._durations import Duration, parse_duration
from ._ops import (
    DEFAULT_UI_URL,
    STATUS_NAMES,
    JobSummary,
    RetryRefused,
    build_query,
    list_jobs,
    retry_job,
    ui_link,
)
from ._options import (
    DEFAULT_RETRY_POLICY,
    DEFAULT_START_TO_CLOSE_TIMEOUT,
    UNSET,
    JobOptions,
    JobOverride,
    RetryPolicySpec,
    resolve_job_options,
)
from ._replay import ReplayOutcome, load_history_file, replay_histories
from ._search_attributes import (
    SA_EXECUTION_ID,
    SA_ITEM_INDEX,
    SA_JOB_TYPE,
    SA_NODE_NAME,
    SEARCH_ATTRIBUTES,
    search_attribute_flags,
)
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
    "DEFAULT_UI_URL",
    "ENCRYPTED_ENCODING",
    "ENV_ENCRYPTION_KEYS",
    "ENV_ENCRYPTION_KEYS_FILE",
    "JOB_DATA_CONVERTER",
    "KEY_ID_METADATA",
    "SA_EXECUTION_ID",
    "SA_ITEM_INDEX",
    "SA_JOB_TYPE",
    "SA_NODE_NAME",
    "SEARCH_ATTRIBUTES",
    "STATUS_NAMES",
    "UNSET",
    "WORKFLOW_TYPE",
    "Duration",
    "EncryptionCodec",
    "EncryptionConfigError",
    "JobOptions",
    "JobOverride",
    "JobSummary",
    "JobWorker",
    "PayloadDecryptionError",
    "ReplayOutcome",
    "RetryPolicySpec",
    "RetryRefused",
    "StartJob",
    "StartJobInput",
    "SupportsTemporalClient",
    "build_query",
    "generate_key",
    "is_served_in_process",
    "job_data_converter",
    "job_summary",
    "list_jobs",
    "load_history_file",
    "parse_duration",
    "replay_histories",
    "resolve_job_options",
    "retry_job",
    "search_attribute_flags",
    "temporal_client_of",
    "ui_link",
    "with_job_data_converter",
]
