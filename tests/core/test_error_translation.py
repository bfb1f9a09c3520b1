"""The translator: every error code but UNAUTHORIZED (the bridge's own) comes out of
`start_job` or `job_error_from_exception`, and an exception nobody foresaw still becomes a
`JobError`."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise
from typing import Any

from temporalio.client import WorkflowFailureError
from temporalio.common import RetryPolicy
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    CancelledError,
    RetryState,
    TerminatedError,
    TimeoutError,
    TimeoutType,
)
from temporalio.service import RPCError, RPCStatusCode

from activities import (
    FAILURE_INFO_KEY,
    INVALID_SETTINGS_ERROR_TYPE,
    RESULT_TOO_LARGE_ERROR_TYPE,
    JobContext,
    job,
)
from node_bridge import ErrorCode, ErrorContext, JobClient, JobClientConfig, JobError
from node_bridge import job_error_from_exception as translate
from tests.fixtures.test_jobs import Traced
from workflows import JobWorker

CONTEXT = ErrorContext(job_type="some-job", item_index=5, workflow_id="job/some-job/k",
                       run_id="run-1", trace_id="0" * 32)


@job("test-core-hang", retry_policy=RetryPolicy(maximum_attempts=1),
     heartbeat_timeout=timedelta(seconds=1))
def hang(settings: Traced, ctx: JobContext) -> None:
    """Reports progress once, then never again: its heartbeat times out."""
    ctx.progress(0.1, "about to hang")
    ctx.cancelled.wait(30)


def _chain(*exceptions: BaseException) -> BaseException:
    """Link `exceptions` outermost first, as Temporal does (`__cause__`)."""
    for outer, inner in pairwise(exceptions):
        outer.__cause__ = inner
    return exceptions[0]


def _activity_error(retry_state: RetryState = RetryState.MAXIMUM_ATTEMPTS_REACHED
                    ) -> ActivityError:
    return ActivityError("Activity task failed", scheduled_event_id=5, started_event_id=6,
                         identity="w", activity_type="some-job", activity_id="1",
                         retry_state=retry_state)


def _workflow_failure(*inner: BaseException) -> WorkflowFailureError:
    cause = _chain(*inner)
    outer = WorkflowFailureError(cause=cause)
    outer.__cause__ = cause
    return outer


def _app(message: str, type: str, *details: Any, attempt: int = 2,
         non_retryable: bool = False) -> ApplicationError:
    return ApplicationError(message, {FAILURE_INFO_KEY: {"attempt": attempt}}, *details,
                            type=type, non_retryable=non_retryable)


def _translated() -> dict[str, JobError]:
    """One exception per kind of failure, by scenario."""
    rpc_unavailable = RPCError("connection refused", RPCStatusCode.UNAVAILABLE, b"")
    rpc_too_big = RPCError("Blob data size exceeds limit.", RPCStatusCode.INVALID_ARGUMENT, b"")
    timeout = TimeoutError("activity timeout", type=TimeoutType.START_TO_CLOSE,
                           last_heartbeat_details=[])
    scenarios: dict[str, BaseException] = {
        "activity failed": _workflow_failure(_activity_error(), _app("boom", "ValueError")),
        "result too large": _workflow_failure(
            _activity_error(RetryState.NON_RETRYABLE_FAILURE),
            _app("too big", RESULT_TOO_LARGE_ERROR_TYPE, attempt=1, non_retryable=True)),
        "invalid in activity": _workflow_failure(
            _activity_error(RetryState.NON_RETRYABLE_FAILURE),
            _app("bad", INVALID_SETTINGS_ERROR_TYPE, [{"loc": ["x"]}], attempt=1,
                 non_retryable=True)),
        "job timeout": _workflow_failure(_activity_error(RetryState.TIMEOUT), timeout,
                                         _app("slow", "ValueError", attempt=3)),
        "cancelled": _workflow_failure(CancelledError("Cancelled")),
        "terminated": _workflow_failure(TerminatedError("by ops")),
        "rpc unavailable": rpc_unavailable,
        "rpc too big": rpc_too_big,
        "connect failed": RuntimeError("Failed client connect: tcp connect error"),
        "unforeseen": KeyError("missing"),
        "unforeseen in workflow": _workflow_failure(ZeroDivisionError("division by zero")),
    }
    return {name: translate(exc, CONTEXT) for name, exc in scenarios.items()}


def test_translated_exceptions() -> None:
    errors = _translated()
    failed = errors["activity failed"]
    assert failed.code == ErrorCode.JOB_FAILED and failed.attempts == 2
    assert failed.error_type == "ValueError" and "boom" in failed.message and failed.retryable
    assert errors["result too large"].code == ErrorCode.PAYLOAD_TOO_LARGE
    assert errors["result too large"].retryable is False
    invalid = errors["invalid in activity"]
    assert invalid.code == ErrorCode.INVALID_SETTINGS and invalid.details == [{"loc": ["x"]}]
    timed_out = errors["job timeout"]
    assert timed_out.code == ErrorCode.TIMEOUT and timed_out.retryable
    assert timed_out.details == {"timeoutType": "START_TO_CLOSE"} and timed_out.attempts == 3
    assert "slow" in timed_out.message
    assert errors["cancelled"].code == ErrorCode.CANCELLED
    assert errors["terminated"].code == ErrorCode.CANCELLED
    assert "by ops" in errors["terminated"].message
    assert errors["rpc unavailable"].code == ErrorCode.UNAVAILABLE
    assert errors["rpc unavailable"].retryable
    assert errors["rpc too big"].code == ErrorCode.PAYLOAD_TOO_LARGE
    assert errors["connect failed"].code == ErrorCode.UNAVAILABLE
    for name in ("unforeseen", "unforeseen in workflow"):
        unforeseen = errors[name]
        assert isinstance(unforeseen, JobError)
        assert unforeseen.code == ErrorCode.JOB_FAILED
    assert errors["unforeseen"].error_type == "KeyError"
    assert "missing" in errors["unforeseen"].message
    assert errors["unforeseen in workflow"].error_type == "ZeroDivisionError"
    for error in errors.values():
        assert (error.job_type, error.item_index) == ("some-job", 5)
        assert (error.workflow_id, error.run_id, error.trace_id) == (
            "job/some-job/k", "run-1", "0" * 32)


async def test_every_code_but_unauthorized_is_reachable(
    job_client: JobClient, task_queue: str
) -> None:
    codes = {error.code for error in _translated().values()}
    small = JobClient(job_client.temporal_client,
                      config=JobClientConfig(task_queue=task_queue, max_settings_bytes=10))
    launched = [
        await job_client.start_job("no-such-job", {}, 0),
        await job_client.start_job("test-core-hang", {"tag": 1}, 0),
        await small.start_job("test-core-hang", {"tag": "long enough"}, 0),
    ]
    codes |= {r.error.code for r in launched if not r.success}
    assert codes == set(ErrorCode) - {ErrorCode.UNAUTHORIZED}


async def test_real_heartbeat_timeout_is_timeout(job_client: JobClient,
                                                 task_queue: str) -> None:
    async with JobWorker(job_client, task_queue=task_queue, jobs=[hang]):
        r = await job_client.start_job("test-core-hang", {}, 0, wait_timeout=60)
    assert not r.success
    assert r.error.code == ErrorCode.TIMEOUT
    assert r.error.details == {"timeoutType": "HEARTBEAT"}
    assert r.error.retryable is True
    assert r.error.attempts == 1
    assert r.error.workflow_id is not None
