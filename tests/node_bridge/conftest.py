"""The bridge served for real: `serve_bridge` on a free port of 127.0.0.1, in the session's
event loop, with its co-located worker on a fresh task queue; tests talk to it over sockets
with `httpx.AsyncClient`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

import activities.examples  # noqa: F401  registers the example job types
import tests.fixtures.test_jobs  # noqa: F401  registers the test-* job types
from tests.fixtures.bridge_server import (
    HTTP_TIMEOUT,
    bridge_config,
    new_job_client,
    running_bridge,
)


@pytest.fixture(scope="session")
async def bridge_url(workflow_env: WorkflowEnvironment) -> AsyncIterator[str]:
    """One bridge for the session, with a worker serving the examples and the test jobs."""
    async with running_bridge(new_job_client(workflow_env), bridge_config()) as url:
        yield url


@pytest.fixture
async def http(bridge_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=bridge_url, timeout=HTTP_TIMEOUT) as client:
        yield client
