"""One worker, several kinds of trouble at once, and the other jobs carry on:

- a job whose result is over the limit fails fast as PAYLOAD_TOO_LARGE (non-retryable, one
  attempt) while other jobs run on the same worker (the sequential case is
  tests/core/test_job_failures.py::test_result_too_large_fails_fast_and_worker_keeps_serving);
- sync jobs that block their thread (`time.sleep`) run in the worker's own thread pool, so an
  echo started while they block answers before any of them ends;
- an async job with blocking code offloaded the supported way (`asyncio.to_thread`) does not
  stall the worker either. (An async job that blocks the event loop itself does: see
  docs/reliability.md, "Blocking code in jobs".)
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from activities.examples import echo
from node_bridge import ErrorCode, JobClient
from tests.fixtures import reliability_jobs, test_jobs
from tests.fixtures.helpers import eventually
from tests.reliability import _procs
from workflows import JobWorker

BLOCK_SECONDS = 8.0
"""How long the blocking jobs hold their thread: the bound echo must beat, not a timing."""


async def test_oversized_result_fails_fast_while_other_jobs_run(
    job_client: JobClient, task_queue: str, tmp_path: Path
) -> None:
    jobs = [test_jobs.big_result, test_jobs.slow, test_jobs.record]
    async with JobWorker(job_client, task_queue=task_queue, jobs=jobs):
        slow = [asyncio.create_task(job_client.start_job(
            "test-slow", {"dir": str(tmp_path), "tag": "slow", "seconds": 3}, i))
            for i in range(5)]
        big = await asyncio.gather(*(job_client.start_job("test-big-result",
                                                          {"size": 3_000_000}, i)
                                     for i in range(3)))
        running_meanwhile = sum(not t.done() for t in slow)
        records = await asyncio.gather(*(job_client.start_job(
            "test-record", {"dir": str(tmp_path), "tag": "after"}, i) for i in range(5)))
        slow_results = await asyncio.gather(*slow)

    for r in big:
        assert not r.success
        assert r.error.code == ErrorCode.PAYLOAD_TOO_LARGE
        assert r.error.retryable is False and r.error.attempts == 1
    assert running_meanwhile > 0  # the big results failed while slow jobs were still running
    assert all(r.success for r in records), records
    assert all(r.success for r in slow_results), slow_results


async def _echo_while_blocked(job_client: JobClient, task_queue: str, tmp_path: Path,
                              job_type: str, definition: object) -> None:
    async with JobWorker(job_client, task_queue=task_queue, jobs=[definition, echo]):
        blockers = [asyncio.create_task(job_client.start_job(
            job_type, {"dir": str(tmp_path), "tag": "block", "seconds": BLOCK_SECONDS}, i))
            for i in range(4)]

        async def all_blocking() -> bool:
            return len(_procs.runs_by_item(tmp_path)) == len(blockers)

        await eventually(all_blocking, "the blocking jobs running")
        echoes = await asyncio.gather(*(job_client.start_job("echo", {"n": i}, i)
                                        for i in range(5)))
        # Compared with the blocking jobs, not a clock: they are all still blocked.
        still_blocked = sum(not t.done() for t in blockers)
        finished = _procs.runs_by_item(tmp_path, "done")
        blocked = await asyncio.gather(*blockers)
    assert [r.data for r in echoes if r.success] == [{"n": i} for i in range(5)], echoes
    assert still_blocked == len(blockers) and not finished, (still_blocked, finished)
    assert all(r.success for r in blocked), blocked


async def test_blocking_sync_jobs_do_not_delay_an_echo(
    job_client: JobClient, task_queue: str, tmp_path: Path
) -> None:
    await _echo_while_blocked(job_client, task_queue, tmp_path, "test-block-sync",
                              reliability_jobs.block_sync)


async def test_async_job_offloading_blocking_code_does_not_delay_an_echo(
    job_client: JobClient, task_queue: str, tmp_path: Path
) -> None:
    await _echo_while_blocked(job_client, task_queue, tmp_path, "test-block-offloaded",
                              reliability_jobs.block_offloaded)
