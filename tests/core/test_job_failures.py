"""How jobs fail: after their retries, non-retryably, with a result too large, with no worker
polling, with the server unreachable. Each outcome is a Result, never an exception."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.common import RetryPolicy

import startjob
import startjob._default_client
from node_bridge import ErrorCode, JobClient
from tests.fixtures import test_jobs
from tests.fixtures.test_jobs import count_runs
from workflows import JobWorker


async def test_job_failing_every_attempt_is_job_failed_and_workflow_failed(
    job_client: JobClient, task_queue: str, temporal_client: Client, tmp_path: Path
) -> None:
    async with JobWorker(job_client, task_queue=task_queue, jobs=[test_jobs.fail_always]):
        r = await job_client.start_job("test-fail-always", {"dir": str(tmp_path)}, 4)
    assert not r.success
    error = r.error
    assert error.code == ErrorCode.JOB_FAILED
    assert error.attempts == 3
    assert error.error_type == "ValueError"
    assert "boom" in error.message
    assert error.retryable
    assert error.job_type == "test-fail-always" and error.item_index == 4
    assert error.workflow_id is not None and error.workflow_id.startswith("job/test-fail-always/")
    assert error.run_id
    assert count_runs(tmp_path) == 3

    description = await temporal_client.get_workflow_handle(error.workflow_id).describe()
    assert description.status == WorkflowExecutionStatus.FAILED
    assert description.workflow_type == "StartJob"
    assert description.run_id == error.run_id


async def test_non_retryable_error_stops_after_one_attempt(
    job_client: JobClient, task_queue: str, tmp_path: Path
) -> None:
    async with JobWorker(job_client, task_queue=task_queue, jobs=[test_jobs.non_retryable]):
        r = await job_client.start_job(
            "test-non-retryable", {"dir": str(tmp_path), "errorType": "BadInput"}, 0)
    assert not r.success
    assert r.error.code == ErrorCode.JOB_FAILED
    assert r.error.retryable is False
    assert r.error.attempts == 1
    assert r.error.error_type == "BadInput"
    assert r.error.details == {"hint": "fix it"}
    assert "the input can never work" in r.error.message
    assert count_runs(tmp_path) == 1


async def test_call_retry_policy_non_retryable_error_types_are_honoured(
    job_client: JobClient, task_queue: str, tmp_path: Path
) -> None:
    policy = RetryPolicy(initial_interval=test_jobs.FAST_RETRY.initial_interval,
                         maximum_attempts=5, non_retryable_error_types=["ValueError"])
    async with JobWorker(job_client, task_queue=task_queue, jobs=[test_jobs.fail_always]):
        r = await job_client.start_job("test-fail-always", {"dir": str(tmp_path)}, 0,
                                       retry_policy=policy)
    assert not r.success
    assert r.error.code == ErrorCode.JOB_FAILED
    assert r.error.attempts == 1
    assert r.error.error_type == "ValueError"
    assert r.error.retryable is False
    assert count_runs(tmp_path) == 1


async def test_result_too_large_fails_fast_and_worker_keeps_serving(
    job_client: JobClient, task_queue: str
) -> None:
    jobs = [test_jobs.big_result, test_jobs.record]
    async with JobWorker(job_client, task_queue=task_queue, jobs=jobs):
        big = await job_client.start_job("test-big-result", {"size": 3_000_000}, 0)
        after = await job_client.start_job("test-record", {"tag": "after"}, 1)
    assert not big.success
    assert big.error.code == ErrorCode.PAYLOAD_TOO_LARGE
    assert big.error.attempts == 1
    assert big.error.retryable is False
    assert big.error.workflow_id is not None
    assert "limit" in big.error.message
    assert after.success, after
    assert after.data == {"tag": "after", "itemIndex": 1}


async def test_no_worker_polling_times_out_with_a_workflow_id(
    job_client: JobClient, task_queue: str, temporal_client: Client
) -> None:
    r = await job_client.start_job("test-record", {"tag": "orphan"}, 0, wait_timeout=2)
    assert not r.success
    assert r.error.code == ErrorCode.TIMEOUT
    assert r.error.retryable is True
    assert r.error.workflow_id is not None
    assert "no worker polls" in r.error.message and task_queue in r.error.message
    handle = temporal_client.get_workflow_handle(r.error.workflow_id)
    assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
    await handle.terminate("test cleanup")


def _unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_server_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    address = f"127.0.0.1:{_unused_port()}"
    with pytest.raises(RuntimeError):
        await JobClient.connect(address)

    monkeypatch.setenv("TEMPORAL_ADDRESS", address)
    monkeypatch.setattr(startjob._default_client, "_client", None)
    r = await startjob.start_job("test-record", {"tag": "x"}, 2)
    assert not r.success
    assert r.error.code == ErrorCode.UNAVAILABLE
    assert r.error.retryable is True
    assert r.error.item_index == 2 and r.error.job_type == "test-record"
    assert r.error.attempts == 0 and r.error.workflow_id is None
