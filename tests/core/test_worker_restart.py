"""Durability: the worker process is killed (SIGKILL) in the middle of a job and a new one
started; the caller, which runs no worker itself, still gets Success, and the retry resumes
from the last checkpoint the killed attempt reported."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from node_bridge import JobClient
from tests.fixtures.helpers import eventually
from tests.fixtures.test_jobs import count_runs

REPO_ROOT = Path(__file__).resolve().parents[2]


@contextlib.asynccontextmanager
async def worker_process(address: str, task_queue: str,
                         log: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    with log.open("ab") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.fixtures.worker_process",
            "--address", address, "--task-queue", task_queue,
            cwd=REPO_ROOT, stdout=asyncio.subprocess.PIPE, stderr=stderr,
        )
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 60)
        assert line.strip() == b"ready", f"worker did not start; see {log}"
        yield process
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def test_job_survives_worker_killed_and_restarted(
    job_client: JobClient, task_queue: str, temporal_address: str, tmp_path: Path
) -> None:
    log = tmp_path / "worker.log"
    settings = {"dir": str(tmp_path), "tag": "durable", "seconds": 4}
    async with worker_process(temporal_address, task_queue, log) as first:
        waiting = asyncio.create_task(job_client.start_job(
            "test-slow", settings, 0, idempotency_key=f"durable-{task_queue}",
            wait_timeout=120))
        workflow_id = f"job/test-slow/durable-{task_queue}"

        async def progress_recorded() -> bool:
            status = await job_client.get_job(workflow_id)
            return status.status == "RUNNING" and status.progress is not None

        await eventually(progress_recorded, "the first attempt's progress")
        first.send_signal(signal.SIGKILL)
        await first.wait()
    assert not waiting.done()

    async with worker_process(temporal_address, task_queue, log):
        r = await asyncio.wait_for(waiting, 120)
    assert r.success, r
    assert r.data["attempt"] >= 2
    assert r.data["resumedFrom"] is not None  # the killed attempt's checkpoint came back
    assert count_runs(tmp_path, "durable") >= 3  # two starts, one "done"
