"""`JobWorker`: a Temporal worker serving the `StartJob` workflow and the given job types.

Use it as an async context manager around code that starts jobs, or `await worker.run()`.
While it runs, clients on the same `Client` object start workflows on its task queue eagerly
(the first workflow task comes back in the start response: about half the latency).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any, Protocol, runtime_checkable

from temporalio.client import Client
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from activities import (
    DEFAULT_MAX_RESULT_BYTES,
    JobDefinition,
    build_activity,
    default_registry,
    definition_of,
)

from ._converter import with_job_data_converter
from ._workflow import StartJob

__all__ = [
    "DEFAULT_TASK_QUEUE",
    "JobWorker",
    "SupportsTemporalClient",
    "is_served_in_process",
    "temporal_client_of",
]

DEFAULT_TASK_QUEUE = "startjob"
DEFAULT_MAX_CONCURRENT_ACTIVITIES = 200
DEFAULT_SYNC_JOB_THREADS = 32
"""Sync jobs run in a pool of their own, so blocking code never stalls the event loop."""


@runtime_checkable
class SupportsTemporalClient(Protocol):
    @property
    def temporal_client(self) -> Client: ...


_served: weakref.WeakKeyDictionary[Client, dict[str, int]] = weakref.WeakKeyDictionary()


def is_served_in_process(client: Client, task_queue: str) -> bool:
    """Whether a `JobWorker` in this process runs on `client` for `task_queue` (eager start)."""
    return _served.get(client, {}).get(task_queue, 0) > 0


def temporal_client_of(client: Client | SupportsTemporalClient) -> Client:
    return client if isinstance(client, Client) else client.temporal_client


class JobWorker:
    """Serves `StartJob` and job activities on one task queue.

    Args:
        client: A `JobClient` or a `temporalio` `Client` (its data converter is swapped for
            startjob's pydantic converter if needed).
        jobs: `@job` functions or definitions; `None` serves every registered job type.
        task_queue: Defaults to `"startjob"`.
        max_concurrent_activities: Job attempts run at once by this worker.
        max_result_bytes: Results larger than this fail as PAYLOAD_TOO_LARGE.
        worker_options: Passed to `temporalio.worker.Worker` (tuning, interceptors, ...).
            `StartJob` runs without the workflow sandbox by default (`workflow_runner`): it is
            the only workflow this worker runs, it is startjob's own deterministic code (checked
            by replay tests), and re-creating the sandbox for every job cost more than the rest
            of the job (docs/performance.md). Pass `workflow_runner=SandboxedWorkflowRunner()`
            to put it back.
    """

    def __init__(
        self,
        client: Client | SupportsTemporalClient,
        *,
        jobs: Iterable[Any] | None = None,
        task_queue: str = DEFAULT_TASK_QUEUE,
        max_concurrent_activities: int = DEFAULT_MAX_CONCURRENT_ACTIVITIES,
        max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES,
        sync_job_threads: int = DEFAULT_SYNC_JOB_THREADS,
        **worker_options: Any,
    ) -> None:
        self.client = with_job_data_converter(temporal_client_of(client))
        self.task_queue = task_queue
        self.definitions: Sequence[JobDefinition] = _definitions(jobs)
        self._sync_pool = ThreadPoolExecutor(
            max_workers=sync_job_threads, thread_name_prefix=f"startjob-{task_queue}"
        )
        self._worker = Worker(
            self.client,
            task_queue=task_queue,
            workflows=[StartJob],
            activities=[
                build_activity(d, max_result_bytes=max_result_bytes, executor=self._sync_pool)
                for d in self.definitions
            ],
            max_concurrent_activities=max_concurrent_activities,
            **{"workflow_runner": UnsandboxedWorkflowRunner(), **worker_options},
        )

    @property
    def job_types(self) -> list[str]:
        return [d.name for d in self.definitions]

    async def run(self) -> None:
        """Run until cancelled or `shutdown()`."""
        self._mark_serving(+1)
        try:
            await self._worker.run()
        finally:
            self._mark_serving(-1)
            self._sync_pool.shutdown(wait=False, cancel_futures=True)

    async def shutdown(self) -> None:
        await self._worker.shutdown()

    async def __aenter__(self) -> JobWorker:
        await self._worker.__aenter__()
        self._mark_serving(+1)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._mark_serving(-1)
        try:
            await self._worker.__aexit__(exc_type, exc, tb)
        finally:
            self._sync_pool.shutdown(wait=False, cancel_futures=True)

    def _mark_serving(self, delta: int) -> None:
        queues = _served.setdefault(self.client, {})
        queues[self.task_queue] = max(0, queues.get(self.task_queue, 0) + delta)


def _definitions(jobs: Iterable[Any] | None) -> list[JobDefinition]:
    if jobs is None:
        return list(default_registry)
    definitions = [j if isinstance(j, JobDefinition) else definition_of(j) for j in jobs]
    if not definitions:
        raise ValueError("JobWorker needs at least one job type (jobs=[...]), or jobs=None")
    return definitions
