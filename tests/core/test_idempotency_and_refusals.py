"""Idempotency keys run a job once (even for concurrent callers), a failed key may run again,
and launches refused before start (unknown type, invalid settings, oversized settings, bad
itemIndex) leave nothing in Temporal."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client
from temporalio.common import RetryPolicy

from activities import JobRegistry
from node_bridge import ErrorCode, JobClient, JobClientConfig
from tests.fixtures import test_jobs
from tests.fixtures.helpers import wait_for_workflow_count
from tests.fixtures.test_jobs import count_runs
from workflows import JobWorker


async def test_same_key_concurrently_runs_once_and_shares_the_result(
    job_client: JobClient, task_queue: str, temporal_client: Client, tmp_path: Path
) -> None:
    settings = {"dir": str(tmp_path), "tag": "once"}
    key = f"once-{task_queue}"  # keys are per job type, not per queue: unique per test run
    async with JobWorker(job_client, task_queue=task_queue, jobs=[test_jobs.record]):
        first, second = await asyncio.gather(
            job_client.start_job("test-record", settings, 0, idempotency_key=key),
            job_client.start_job("test-record", settings, 0, idempotency_key=key),
        )
        later = await job_client.start_job("test-record", settings, 0, idempotency_key=key)
    assert first.success and second.success and later.success
    assert first == second == later
    assert first.data == {"tag": "once", "itemIndex": 0}
    assert count_runs(tmp_path, "once") == 1
    ids = await wait_for_workflow_count(temporal_client, task_queue, 1)
    assert ids == [f"job/test-record/{key}"]


async def test_key_whose_run_failed_may_run_again(
    job_client: JobClient, task_queue: str, temporal_client: Client, tmp_path: Path
) -> None:
    settings = {"dir": str(tmp_path), "tag": "again"}
    once = RetryPolicy(maximum_attempts=1)
    key = f"again-{task_queue}"
    async with JobWorker(job_client, task_queue=task_queue, jobs=[test_jobs.fail_always]):
        first = await job_client.start_job("test-fail-always", settings, 0,
                                           idempotency_key=key, retry_policy=once)
        second = await job_client.start_job("test-fail-always", settings, 0,
                                            idempotency_key=key, retry_policy=once)
    assert not first.success and not second.success
    assert first.error.workflow_id == second.error.workflow_id == f"job/test-fail-always/{key}"
    assert first.error.run_id != second.error.run_id
    assert count_runs(tmp_path, "again") == 2


async def _assert_nothing_launched(job_client: JobClient, temporal_client: Client,
                                   task_queue: str) -> None:
    """Launch one real job on the queue and wait until visibility lists it: by then any job the
    refused calls had started would be listed too."""
    async with JobWorker(job_client, task_queue=task_queue, jobs=[test_jobs.record]):
        sentinel = await job_client.start_job("test-record", {"tag": "sentinel"}, 0,
                                              idempotency_key=f"sentinel-{task_queue}")
    assert sentinel.success, sentinel
    ids = await wait_for_workflow_count(temporal_client, task_queue, 1)
    assert ids == [f"job/test-record/sentinel-{task_queue}"]


async def test_refused_launches_start_nothing(
    job_client: JobClient, task_queue: str, temporal_client: Client
) -> None:
    small = JobClient(temporal_client, config=JobClientConfig(task_queue=task_queue,
                                                              max_settings_bytes=100))
    unknown = await job_client.start_job("no-such-job", {}, 0)
    invalid = await job_client.start_job("test-flaky", {"failures": "many"}, 0)
    oversized = await small.start_job("test-record", {"tag": "x" * 200}, 0)
    assert not unknown.success and not invalid.success and not oversized.success

    assert unknown.error.code == ErrorCode.UNKNOWN_JOB_TYPE
    assert "no-such-job" in unknown.error.message and "test-record" in unknown.error.message
    assert unknown.error.retryable is False and unknown.error.attempts == 0

    assert invalid.error.code == ErrorCode.INVALID_SETTINGS
    assert "failures" in invalid.error.message
    assert [d["loc"] for d in invalid.error.details] == [["failures"]]
    assert invalid.error.retryable is False and invalid.error.attempts == 0

    assert oversized.error.code == ErrorCode.PAYLOAD_TOO_LARGE
    assert oversized.error.details["limit"] == 100
    assert oversized.error.details["size"] > 100
    assert oversized.error.retryable is False

    for error in (unknown.error, invalid.error, oversized.error):
        assert error.workflow_id is None and error.run_id is None
    await _assert_nothing_launched(job_client, temporal_client, task_queue)


@pytest.mark.parametrize("item_index", [-1, True, "3", 2.0, None])
async def test_bad_item_index_starts_nothing(
    job_client: JobClient, task_queue: str, temporal_client: Client, item_index: Any
) -> None:
    r = await job_client.start_job("test-record", {"tag": "x"}, item_index)
    assert not r.success
    assert r.error.code == ErrorCode.INVALID_SETTINGS
    assert "itemIndex" in r.error.message
    # itemIndex is echoed as requested when it is an int at all, else 0.
    assert r.error.item_index == (-1 if item_index == -1 else 0)
    assert r.error.workflow_id is None and r.error.attempts == 0
    await _assert_nothing_launched(job_client, temporal_client, task_queue)


async def test_client_with_an_empty_private_registry_knows_no_job_types(
    temporal_client: Client, task_queue: str
) -> None:
    client = JobClient(temporal_client, config=JobClientConfig(task_queue=task_queue),
                       registry=JobRegistry())  # empty, hence falsy: must not mean "default"
    r = await client.start_job("test-record", {"tag": "x"}, 0)
    assert not r.success
    assert r.error.code == ErrorCode.UNKNOWN_JOB_TYPE
    assert "known job types: none" in r.error.message
