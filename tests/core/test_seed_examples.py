"""The seed's three examples, ported from the n8n Code node to Python: a per-item loop that
merges each Result into its item, a retry loop (the caller's own, and the retry policy's), and
many jobs at once with results in item order."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from temporalio.common import RetryPolicy

from activities import JobContext, job
from activities.examples import generate_report
from node_bridge import ErrorCode, JobClient
from tests.fixtures import test_jobs
from tests.fixtures.test_jobs import FAST_RETRY, count_runs
from workflows import JobWorker


class FailUntilSettings(test_jobs.Traced):
    failures: int = 2


@job("test-core-fail-until", retry_policy=FAST_RETRY)
def fail_until(settings: FailUntilSettings, ctx: JobContext) -> dict[str, Any]:
    """Fails until `failures` runs (counted in runs.log, across workflows) have failed: unlike
    test-flaky, which counts attempts within one workflow, this also fails across calls."""
    assert settings.dir is not None
    earlier = count_runs(settings.dir, settings.tag)
    with (Path(settings.dir) / "runs.log").open("a", encoding="utf-8") as log:
        log.write(f"{ctx.job_type} {settings.tag} item={ctx.item_index} attempt={ctx.attempt}\n")
    if earlier < settings.failures:
        raise ConnectionError(f"transient failure number {earlier + 1}")
    return {"run": earlier + 1}


def _file_text(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


async def test_per_item_loop_merges_data_or_error(job_client: JobClient, task_queue: str) -> None:
    items: list[dict[str, Any]] = [
        {"userId": 1, "action": "generateReport"},
        {"userId": "not-a-number", "action": "generateReport"},
        {"userId": 3, "action": "generateReport", "format": "csv"},
    ]
    async with JobWorker(job_client, task_queue=task_queue, jobs=[generate_report]):
        for i, item in enumerate(items):
            r = await job_client.start_job("report-generator", item, i)
            item["result"] = r.data if r.success else r.error.model_dump(by_alias=True)

    first, bad, third = items
    assert _file_text(first["result"]["path"]).startswith("<!")
    assert first["result"]["rows"] == 0 and first["result"]["url"].startswith("file://")
    assert third["result"]["path"].endswith(".csv")
    assert bad["result"]["code"] == ErrorCode.INVALID_SETTINGS
    assert bad["result"]["itemIndex"] == 1
    assert bad["result"]["jobType"] == "report-generator"
    assert "userId" in bad["result"]["message"]


async def test_retry_loop_in_the_caller(job_client: JobClient, task_queue: str,
                                        tmp_path: Path) -> None:
    settings = {"dir": str(tmp_path), "tag": "caller-loop", "failures": 2}
    results = []
    async with JobWorker(job_client, task_queue=task_queue, jobs=[fail_until]):
        for _ in range(10):
            r = await job_client.start_job("test-core-fail-until", settings, 0,
                                           retry_policy=RetryPolicy(maximum_attempts=1))
            results.append(r)
            if r.success:
                break
    assert [r.success for r in results] == [False, False, True]
    for failed in results[:2]:
        assert not failed.success
        assert failed.error.code == ErrorCode.JOB_FAILED
        assert failed.error.attempts == 1
        assert failed.error.retryable
        assert failed.error.error_type == "ConnectionError"
    assert results[2].success and results[2].data == {"run": 3}
    assert count_runs(tmp_path, "caller-loop") == 3


async def test_retry_loop_in_the_retry_policy(job_client: JobClient, task_queue: str,
                                              tmp_path: Path) -> None:
    async with JobWorker(job_client, task_queue=task_queue, jobs=[test_jobs.flaky]):
        r = await job_client.start_job(
            "test-flaky", {"dir": str(tmp_path), "tag": "policy", "failures": 2}, 0)
    assert r.success, r
    assert r.data == {"attempt": 3, "tag": "policy"}
    assert count_runs(tmp_path, "policy") == 3


async def test_fifty_jobs_in_parallel_keep_item_order(job_client: JobClient,
                                                      task_queue: str) -> None:
    items = [{"tag": f"item-{i}"} for i in range(50)]
    async with JobWorker(job_client, task_queue=task_queue, jobs=[test_jobs.record]):
        results = await asyncio.gather(
            *(job_client.start_job("test-record", item, i) for i, item in enumerate(items)))
    assert all(r.success for r in results), [r for r in results if not r.success]
    assert [r.data for r in results] == [
        {"tag": f"item-{i}", "itemIndex": i} for i in range(50)
    ]
