"""The real-n8n stack for `make test-n8n`: the session's Temporal dev server (tests/conftest.py,
with the four search attributes), the startjob runner in this process with its co-located
worker, and n8n 2.8.4 on loopback sharing one broker port across restarts.

The tests are skipped unless `STARTJOB_N8N_BIN` names the n8n binary
(node_bridge/n8n/test-n8n.sh sets it), so a plain `pytest` never needs n8n."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

import activities.examples  # noqa: F401  registers the example job types
import tests.fixtures.test_jobs  # noqa: F401  registers the test-* job types
from node_bridge import JobClient, JobClientConfig
from node_bridge.n8n_runner import N8nRunner, N8nRunnerConfig, run_n8n_runner
from tests.fixtures.helpers import eventually
from tests.fixtures.n8n_broker import free_port
from tests.n8n.n8n_process import TOKEN, N8n, n8n_binary
from tests.n8n.workflows import workflow

RUNNER_TASK_TIMEOUT = 20  # seconds; n8n's own is 5 (N8n.task_timeout), see test_timeout

@pytest.fixture(scope="session")
async def n8n(workflow_env: WorkflowEnvironment) -> AsyncIterator[N8n]:
    binary = n8n_binary()
    assert binary
    with tempfile.TemporaryDirectory(prefix="startjob-n8n-") as home:
        instance = N8n(binary=binary, home=Path(home), port=free_port(),
                       broker_port=free_port())
        await instance.import_workflows([workflow()])
        await instance.start()
        try:
            yield instance
        finally:
            await instance.stop()


@contextlib.asynccontextmanager
async def registered_runner(config: N8nRunnerConfig,
                            client: JobClient) -> AsyncIterator[N8nRunner]:
    """`run_n8n_runner` with its worker, once n8n has registered it; stopped on exit."""
    stop = asyncio.Event()
    ready: list[N8nRunner] = []
    serving = asyncio.create_task(run_n8n_runner(config, client=client, stop=stop,
                                                 with_worker=True, on_ready=ready.append))

    async def registered() -> N8nRunner | None:
        if serving.done():
            await serving  # surfaces a startup error (a refused token or grant)
        return ready[0] if ready and ready[0].registered.is_set() else None

    try:
        yield await eventually(registered, "the runner to register with n8n")
    finally:
        stop.set()
        await asyncio.wait_for(serving, 30)


@pytest.fixture(scope="session")
async def runner(n8n: N8n, workflow_env: WorkflowEnvironment) -> AsyncIterator[N8nRunner]:
    """The runner under test, with a worker for the examples and test jobs."""
    client = JobClient(workflow_env.client,
                       config=JobClientConfig(task_queue="n8n-tests"))
    config = N8nRunnerConfig(broker_uri=n8n.broker_uri, auth_token=TOKEN, max_concurrency=12,
                             task_timeout=timedelta(seconds=RUNNER_TASK_TIMEOUT),
                             reconnect_max=timedelta(seconds=1))
    async with registered_runner(config, client) as registered:
        yield registered
