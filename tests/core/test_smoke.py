from __future__ import annotations

import activities.examples  # noqa: F401  registers the example job types
from node_bridge import JobClient
from workflows import JobWorker


async def test_echo_round_trip(job_client: JobClient, task_queue: str) -> None:
    async with JobWorker(job_client, task_queue=task_queue):
        result = await job_client.start_job("echo", {"a": 1}, 0)
    assert result.success, result
    assert result.data == {"a": 1}
