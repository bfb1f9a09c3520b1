"""The worker SIGKILLed while 20 jobs run, and a new one started: every job completes with
Success, and each activity ran at most twice (at-least-once: the killed attempts run again)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from node_bridge import JobClient
from tests.fixtures.helpers import eventually
from tests.reliability import _procs

JOBS = 20
WAIT = 180.0  # seconds a caller waits; generous, the machine may be loaded


async def test_twenty_jobs_survive_the_worker_killed_mid_job(
    job_client: JobClient, task_queue: str, temporal_address: str, tmp_path: Path
) -> None:
    log = tmp_path / "worker.log"
    settings = {"dir": str(tmp_path), "tag": "killed", "seconds": 6}
    async with _procs.worker(temporal_address, log, task_queue=task_queue) as first:
        callers = [asyncio.create_task(job_client.start_job(
            "test-slow", settings, i, idempotency_key=f"{task_queue}-{i}", wait_timeout=WAIT))
            for i in range(JOBS)]

        async def all_started() -> bool:
            return len(_procs.runs_by_item(tmp_path)) == JOBS

        await eventually(all_started, f"all {JOBS} jobs running", within=120)
        first.kill()
        await first.wait()
    finished_before_kill = sum(_procs.runs_by_item(tmp_path, "done").values())

    async with _procs.worker(temporal_address, log, task_queue=task_queue):
        results = await asyncio.wait_for(asyncio.gather(*callers), WAIT + 30)

    assert all(r.success for r in results), [r for r in results if not r.success]
    runs = _procs.runs_by_item(tmp_path)
    done = _procs.runs_by_item(tmp_path, "done")
    print(f"\nworker killed with {JOBS} jobs running ({finished_before_kill} had finished): "
          f"{sum(runs.values())} attempts in all, max {max(runs.values())} per job")
    assert sorted(runs) == list(range(JOBS))
    assert max(runs.values()) <= 2, runs
    assert all(done[i] >= 1 for i in range(JOBS)), done
    retried = [r for r in results if r.data["attempt"] == 2]
    assert len(retried) >= JOBS - finished_before_kill  # the killed attempts ran again
