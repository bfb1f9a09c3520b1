"""`/v1/jobs`: start a job and wait, follow one by id, cancel one.

A job id is a workflow id such as `job/echo/abc`, so it contains slashes: the routes accept it
URL-encoded (`job%2Fecho%2Fabc`) or raw, and read it from the raw path so that a job id whose
last part is `cancel` is never mistaken for the `/cancel` action.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, unquote_to_bytes

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from temporalio.service import RPCError, RPCStatusCode

from .._codes import ErrorCode
from .._result import Failure, JobError
from .._status import JobStatus
from .._translate import ErrorContext, job_error_from_exception
from ._models import CancelRequested, JobRunning, JobStatusBody, StartJobRequest
from ._openapi import ERROR_RESPONSES, RESULT_RESPONSE
from ._responses import (
    WAIT_TIMEOUT_ERROR_TYPE,
    error_response,
    failure_response,
    result_response,
    running_response,
    status_response,
)
from ._state import BridgeState, bridge_state

__all__ = ["JOBS_PATH", "launch", "router"]

JOBS_PATH = "/v1/jobs"
router = APIRouter(prefix=JOBS_PATH, tags=["jobs"])
_PREFIX = b"/v1/jobs/"
_CANCEL = b"/cancel"
JobIdPath = Annotated[str, Path(alias="jobId", description=(
    "The job id (workflowId), URL-encoded (job%2Fecho%2Fabc) or with raw slashes."))]
WaitQuery = Annotated[float | None, Query(alias="waitSeconds", ge=0,
                                          description="Long-poll up to N seconds (clamped).")]


@router.post("", responses={200: RESULT_RESPONSE, 202: {"model": JobRunning}, **ERROR_RESPONSES})
async def start_job(body: StartJobRequest, request: Request) -> Response:
    """Launch a job and wait for its Result: 200 once it ran (success or failure), 202 when
    `waitSeconds` ran out first (follow it with `GET /v1/jobs/{jobId}`)."""
    # `StartJobEndpoint` answers this route before FastAPI routes it (docs/performance.md);
    # the declaration stays for the OpenAPI document and for apps built without it.
    return await launch(bridge_state(request), body)


async def launch(state: BridgeState, body: StartJobRequest) -> Response:
    """`POST /v1/jobs` once its body validated: start the job, wait, answer the Result."""
    # The caller's `traceparent` is already the current context (`_tracing`), so start_job's
    # span and Temporal's join the caller's trace.
    waiting = state.client.start_job(
        body.job_type, body.settings, body.item_index,
        idempotency_key=body.idempotency_key, execution_id=body.execution_id,
        node_name=body.node_name, wait_timeout=state.clamp_wait(body.wait_seconds),
    )
    del body  # the request is garbage while the call waits (docs/performance.md)
    result = await waiting
    if isinstance(result, Failure) and _wait_ran_out(result.error):
        return await _still_running(state, result.error)
    return result_response(result)


@router.get("/{jobId:path}", responses={200: {"model": JobStatusBody},
                                         202: {"model": JobRunning}, **ERROR_RESPONSES})
async def get_job(job_id: JobIdPath, request: Request, wait_seconds: WaitQuery = None) -> Response:
    """The job's status and progress; its Result once it ended (200). While it runs: 202,
    after waiting up to `waitSeconds` for it to end."""
    job_id = _job_id(request) or job_id
    state = bridge_state(request)
    wait = state.clamp_wait(wait_seconds if wait_seconds is not None else 0.0)
    try:
        if wait > 0:
            await state.client.wait_for_job(job_id, wait_timeout=wait)
        status = await state.client.get_job(job_id)
    except Exception as err:
        return _lookup_failed(err, job_id)
    return status_response(status, location=_location(job_id))


@router.post("/{jobId:path}/cancel", status_code=202,
             responses={202: {"model": CancelRequested}, 200: {"model": JobStatusBody},
                        **ERROR_RESPONSES})
async def cancel_job(job_id: JobIdPath, request: Request) -> Response:
    """Request cancellation (202); whoever waits for the job gets CANCELLED once it stops.
    A job that already ended answers 200 with its status and Result."""
    parsed = _job_id(request, suffix=_CANCEL)
    if parsed is None:
        return error_response(
            ErrorCode.INVALID_SETTINGS,
            "POST needs the action after the job id: POST /v1/jobs/{jobId}/cancel",
            ErrorContext("", 0), status=405, error_type="HTTPException")
    state = bridge_state(request)
    try:
        status = await state.client.get_job(parsed)
        if status.status != "RUNNING":  # already ended: show how, nothing to cancel
            return status_response(status)
        await state.client.cancel_job(parsed)
    except Exception as err:
        return _lookup_failed(err, parsed)
    body = CancelRequested(job_id=parsed)
    return JSONResponse(body.model_dump(mode="json", by_alias=True), status_code=202)


# ========== Helpers ==========


def _wait_ran_out(error: JobError) -> bool:
    return (error.code is ErrorCode.TIMEOUT and error.error_type == WAIT_TIMEOUT_ERROR_TYPE
            and error.workflow_id is not None)


async def _still_running(state: BridgeState, error: JobError) -> Response:
    job_id = error.workflow_id or ""
    try:
        status = await state.client.get_job(job_id)
    except Exception:
        status = JobStatus(job_id=job_id, run_id=error.run_id, job_type=error.job_type,
                           item_index=error.item_index, status="RUNNING")
    if status.status != "RUNNING" and status.result is not None:
        return result_response(status.result)  # it ended between the timeout and now
    return running_response(status, message=error.message, location=_location(job_id))


def _lookup_failed(err: Exception, job_id: str) -> Response:
    context = _context(job_id)
    if _not_found(err):
        return error_response(
            ErrorCode.UNKNOWN_JOB_TYPE,
            f"no job with id {job_id!r}: job ids are the workflowId of a start answer, "
            "URL-encoded or with raw slashes (job/{jobType}/{key})",
            context, status=404, error_type="JobNotFound")
    error = job_error_from_exception(err, context)
    if error.code is not ErrorCode.UNAVAILABLE:
        raise err  # a bug, not Temporal: the 500 handler answers it
    return failure_response(error)


def _not_found(err: BaseException) -> bool:
    # INVALID_ARGUMENT: an id Temporal cannot even look up (empty, too long): no such job.
    return isinstance(err, RPCError) and err.status in (RPCStatusCode.NOT_FOUND,
                                                        RPCStatusCode.INVALID_ARGUMENT)


def _job_id(request: Request, suffix: bytes = b"") -> str | None:
    """The job id as sent, decoded once: raw slashes and %2F both work."""
    raw: Any = request.scope.get("raw_path")
    if not isinstance(raw, bytes) or _PREFIX not in raw:
        return None
    rest = raw.split(_PREFIX, 1)[1]
    if suffix:
        if not rest.endswith(suffix):
            return None
        rest = rest[: -len(suffix)]
    return unquote_to_bytes(rest).decode("utf-8", "replace") or None


def _context(job_id: str) -> ErrorContext:
    parts = job_id.split("/")
    job_type = parts[1] if len(parts) >= 3 and parts[0] == "job" else ""
    return ErrorContext(job_type=job_type, item_index=0, workflow_id=job_id)


def _location(job_id: str) -> str:
    return f"/v1/jobs/{quote(job_id, safe='')}"
