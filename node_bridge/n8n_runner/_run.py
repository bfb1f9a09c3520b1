"""`run_n8n_runner`: the one call that serves n8n's `this.startJob` until stopped.

    stop = asyncio.Event()
    await run_n8n_runner(N8nRunnerConfig.from_env(), client=client, stop=stop)

`startjob n8n-runner` and `python -m node_bridge.n8n_runner` both end here.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

from workflows import JobWorker

from .._client import JobClient
from ._config import N8nRunnerConfig
from ._runner import N8nRunner

__all__ = ["run_n8n_runner"]


async def run_n8n_runner(
    config: N8nRunnerConfig,
    *,
    client: JobClient,
    stop: asyncio.Event | None = None,
    with_worker: bool = False,
    on_ready: Callable[[N8nRunner], None] | None = None,
) -> None:
    """Connect to n8n's task broker and run each task as a startjob job, until `stop` is set
    (or the call is cancelled); broker outages are retried.

    Args:
        config: From `N8nRunnerConfig.from_env()`, usually.
        client: Starts the jobs; its registry decides which job types exist.
        stop: Set it for a graceful shutdown (running tasks get `config.shutdown_grace`).
        with_worker: Also run a `JobWorker` for the offered job types on the client's task
            queue in this process: one process serves n8n end to end, and jobs start eagerly.
            Without it, a `startjob worker` elsewhere must poll that queue.
        on_ready: Called with the runner before it connects (tests read `runner.registered`).

    Raises:
        ConfigurationError: No token, or job types that are not registered.
    """
    runner = N8nRunner(config, client, stop)
    if on_ready is not None:
        on_ready(runner)
    async with _worker(client, runner.types, enabled=with_worker):
        await runner.run()


@contextlib.asynccontextmanager
async def _worker(client: JobClient, types: list[str], *, enabled: bool) -> AsyncIterator[None]:
    if not enabled:
        yield
        return
    definitions = [d for d in client.registry if d.name in types]
    async with JobWorker(client, jobs=definitions, task_queue=client.config.task_queue):
        yield
