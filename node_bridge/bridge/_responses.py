"""Turning Results and refusals into HTTP answers; the status comes from the error-code table
(`ErrorCode.http_status` in `node_bridge._codes`), never from a table of our own.

A job that ran answers 200 whatever its outcome; only requests that launched nothing (or could
not reach Temporal) get a 4xx or 503.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from .._codes import ErrorCode
from .._result import Failure, JobError, Success
from .._status import JobStatus
from .._translate import ErrorContext, job_error
from ._models import JobRunning, JobStatusBody
from ._tracing import with_trace_id

__all__ = [
    "WAIT_TIMEOUT_ERROR_TYPE",
    "error_response",
    "failure_response",
    "result_response",
    "running_response",
    "status_for",
    "status_response",
]

WAIT_TIMEOUT_ERROR_TYPE = "WaitTimeout"
"""`JobError.error_type` of the TIMEOUT a `JobClient` answers when the caller's wait ran out."""


def status_for(result: Success | Failure) -> int:
    """200 for a job that ran (any outcome); the code's own status for a refusal."""
    if result.success:
        return 200
    error = result.error
    if error.code is ErrorCode.UNAVAILABLE or not _ran(error):
        return error.code.http_status
    return 200


def result_response(result: Success | Failure, status: int | None = None) -> JSONResponse:
    """The Result as JSON; a JobError without a trace id gets the request's (`_tracing`)."""
    result = with_trace_id(result)
    return JSONResponse(result.model_dump(mode="json", by_alias=True),
                        status_code=status_for(result) if status is None else status)


def failure_response(error: JobError, status: int | None = None) -> JSONResponse:
    return result_response(Failure(error=error), status)


def error_response(
    code: ErrorCode,
    message: str,
    context: ErrorContext,
    *,
    status: int | None = None,
    error_type: str | None = None,
    details: Any = None,
) -> JSONResponse:
    """A Result error body for a request the bridge refuses itself."""
    error = job_error(code, message, context, error_type=error_type, details=details)
    return failure_response(error, code.http_status if status is None else status)


def running_response(status: JobStatus, message: str | None = None,
                     location: str | None = None) -> JSONResponse:
    """202 `{jobId, status: "RUNNING", progress, ...}`: ask again with `GET /v1/jobs/{jobId}`."""
    body = JobRunning(job_id=status.job_id, run_id=status.run_id, job_type=status.job_type,
                      item_index=status.item_index, attempt=status.attempt,
                      progress=status.progress, message=message)
    headers = {"Location": location} if location else None
    return JSONResponse(body.model_dump(mode="json", by_alias=True), status_code=202,
                        headers=headers)


def status_response(status: JobStatus, location: str | None = None) -> JSONResponse:
    """202 while the job runs; 200 with status and Result (spread, so the body is a Result too)
    once it ended."""
    if status.status == "RUNNING" or status.result is None:
        return running_response(status, location=location)
    result = with_trace_id(status.result)
    body = JobStatusBody(
        job_id=status.job_id, run_id=status.run_id, job_type=status.job_type,
        item_index=status.item_index, status=status.status, attempt=status.attempt,
        progress=status.progress, result=result, success=result.success,
        data=result.data if isinstance(result, Success) else None,
        error=result.error if isinstance(result, Failure) else None,
    )
    dumped = body.model_dump(mode="json", by_alias=True)
    dumped.pop("data" if isinstance(result, Failure) else "error")
    return JSONResponse(dumped, status_code=status_for(result))


def _ran(error: JobError) -> bool:
    # A run id or an attempt means Temporal accepted the job: its outcome is the answer.
    return error.run_id is not None or error.attempts > 0
