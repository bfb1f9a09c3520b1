"""An n8n task runner that runs `this.startJob(jobType, settings, i)` as startjob jobs.

n8n's `startJob` hands a task of type `jobType` to its task broker, which gives it to any runner
offering that type; this runner offers every registered job type, runs each task through
`JobClient.start_job`, and answers with the job's data or its `JobError`:

    config = N8nRunnerConfig.from_env()         # N8N_RUNNERS_TASK_BROKER_URI, ..._AUTH_TOKEN
    await run_n8n_runner(config, client=await JobClient.connect())

Or from a shell: `python -m node_bridge.n8n_runner --jobs myproject.jobs`.
"""

from ._config import (
    DEFAULT_BROKER_URI,
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_TASK_TIMEOUT,
    ENV_AUTH_TOKEN,
    ENV_BROKER_URI,
    ENV_GRANT_TOKEN,
    ENV_MAX_CONCURRENCY,
    ENV_TASK_TIMEOUT,
    ENV_TYPES,
    N8nRunnerConfig,
)
from ._context import TaskContext, derive_idempotency_key
from ._run import run_n8n_runner
from ._runner import N8nRunner
from .serde import MessageError

__all__ = [
    "DEFAULT_BROKER_URI",
    "DEFAULT_MAX_CONCURRENCY",
    "DEFAULT_TASK_TIMEOUT",
    "ENV_AUTH_TOKEN",
    "ENV_BROKER_URI",
    "ENV_GRANT_TOKEN",
    "ENV_MAX_CONCURRENCY",
    "ENV_TASK_TIMEOUT",
    "ENV_TYPES",
    "MessageError",
    "N8nRunner",
    "N8nRunnerConfig",
    "TaskContext",
    "derive_idempotency_key",
    "run_n8n_runner",
]
