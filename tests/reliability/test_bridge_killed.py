"""The bridge SIGKILLed while 50 calls wait for their jobs: each client retries with its
idempotency key against a new bridge on the same port and gets the job's Result; no job ran
twice. The worker runs in a process of its own (`--no-worker` on the bridge), so the jobs go on
while no bridge is up."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from tests.fixtures.helpers import eventually
from tests.reliability import _procs

CALLS = 50
HTTP_TIMEOUT = httpx.Timeout(240.0, connect=10.0)


async def call_with_retries(http: httpx.AsyncClient, url: str, body: dict[str, Any],
                            attempts: list[int], *, deadline: float = 180.0) -> httpx.Response:
    """POST until an answer arrives: a dropped connection or a refused one (no bridge up yet)
    is retried with the same body, hence the same idempotency key."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + deadline
    while True:
        attempts[0] += 1
        try:
            return await http.post(f"{url}/v1/jobs", json=body)
        except httpx.TransportError:
            if loop.time() > give_up:
                raise
            await asyncio.sleep(0.25)


async def test_fifty_waiting_calls_survive_the_bridge_killed(
    temporal_address: str, task_queue: str, tmp_path: Path
) -> None:
    port = _procs.free_port()
    bridge_log = tmp_path / "bridge.log"
    worker_log = tmp_path / "worker.log"
    attempts = [0]
    async with (
        _procs.worker(temporal_address, worker_log, task_queue=task_queue),
        httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http,
    ):
        async with _procs.bridge(temporal_address, bridge_log, port=port,
                                 task_queue=task_queue, worker=False) as first:
            url = first.url
            calls = [asyncio.create_task(call_with_retries(http, url, {
                "jobType": "test-slow", "itemIndex": i, "waitSeconds": 150,
                "idempotencyKey": f"bridge-killed-{task_queue}-{i}",
                "settings": {"dir": str(tmp_path), "tag": "bridge", "seconds": 5},
            }, attempts)) for i in range(CALLS)]

            async def all_running() -> bool:
                return len(_procs.runs_by_item(tmp_path)) == CALLS

            await eventually(all_running, f"all {CALLS} jobs running", within=120)
            first.kill()
            await first.wait()
        async with _procs.bridge(temporal_address, bridge_log, port=port,
                                 task_queue=task_queue, worker=False):
            responses = await asyncio.wait_for(asyncio.gather(*calls), 240)

    bodies = [r.json() for r in responses]
    assert [r.status_code for r in responses] == [200] * CALLS, bodies
    assert all(b["success"] for b in bodies), [b for b in bodies if not b["success"]]
    assert sorted(b["data"]["attempt"] for b in bodies) == [1] * CALLS
    runs = _procs.runs_by_item(tmp_path)
    done = _procs.runs_by_item(tmp_path, "done")
    print(f"\nbridge killed with {CALLS} calls waiting: {attempts[0]} HTTP attempts, "
          f"{sum(runs.values())} job runs, {sum(done.values())} done")
    assert runs == {i: 1 for i in range(CALLS)}  # no job ran twice
    assert done == {i: 1 for i in range(CALLS)}
    assert attempts[0] > CALLS  # the clients did retry
