"""The per-client concurrency limit: past it 429 with Retry-After and a Result body; health
probes always answer; slots free as calls finish; other clients are not affected."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from temporalio.testing import WorkflowEnvironment

from node_bridge import ErrorCode
from node_bridge.bridge._limits import ConcurrencyLimit
from tests.fixtures.bridge_server import HTTP_TIMEOUT, bridge_config, new_job_client, running_bridge
from tests.fixtures.helpers import wait_for_workflow_count

LIMIT = 2


@pytest.fixture(scope="module")
async def limited(workflow_env: WorkflowEnvironment) -> AsyncIterator[tuple[str, str]]:
    client = new_job_client(workflow_env)
    config = bridge_config(max_concurrent_per_client=LIMIT)
    async with running_bridge(client, config) as url:
        yield url, client.config.task_queue


def _slow(seconds: float) -> dict[str, Any]:
    return {"jobType": "test-slow", "settings": {"seconds": seconds, "tag": uuid.uuid4().hex},
            "itemIndex": 0}


async def test_429_past_the_limit_and_recovery(
    limited: tuple[str, str], workflow_env: WorkflowEnvironment
) -> None:
    url, queue = limited
    async with httpx.AsyncClient(base_url=url, timeout=HTTP_TIMEOUT) as http:
        holders = [asyncio.create_task(http.post("/v1/jobs", json=_slow(2.0)))
                   for _ in range(LIMIT)]
        await wait_for_workflow_count(workflow_env.client, queue, LIMIT)  # both slots held

        refused = await http.post("/v1/jobs", json=_slow(0))
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "1"
        body = refused.json()
        assert body["success"] is False
        assert body["error"]["code"] == ErrorCode.UNAVAILABLE
        assert body["error"]["retryable"] is True
        assert "STARTJOB_BRIDGE_MAX_CONCURRENT_PER_CLIENT" in body["error"]["message"]
        assert (await http.get("/healthz")).status_code == 200  # probes are never limited

        for held in await asyncio.gather(*holders):
            assert held.status_code == 200 and held.json()["success"] is True
        recovered = await http.post("/v1/jobs", json=_slow(0))
        assert recovered.status_code == 200, recovered.text
        assert recovered.json()["success"] is True


async def test_the_limit_is_per_client_address() -> None:
    release = asyncio.Event()
    entered: asyncio.Queue[None] = asyncio.Queue()
    app = FastAPI()

    @app.get("/hold")
    async def hold() -> dict[str, bool]:
        entered.put_nowait(None)
        await release.wait()
        return {"ok": True}

    limited = ConcurrencyLimit(app, per_client=1)

    def client_from(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(limited, client=(address, 1234))
        return httpx.AsyncClient(transport=transport, base_url="http://bridge")

    async with client_from("10.0.0.1") as first, client_from("10.0.0.2") as second:
        held = asyncio.create_task(first.get("/hold"))
        await entered.get()
        assert (await first.get("/hold")).status_code == 429
        other = asyncio.create_task(second.get("/hold"))  # another client still gets in
        await entered.get()
        release.set()
        assert (await held).status_code == 200 and (await other).status_code == 200
        assert limited.in_flight("10.0.0.1") == 0  # the slot is freed, nothing is kept
        assert (await first.get("/hold")).status_code == 200
