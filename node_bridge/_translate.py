"""The one place Temporal's failures become `JobError`s.

Walks the cause chain (`WorkflowFailureError` → `ActivityError` → `ApplicationError` /
`TimeoutError` / `CancelledError`; `RPCError`; the connect `RuntimeError`), picks the most
specific code from the table in `_codes`, and fills in what the chain knows: the root cause's
type and message, the attempt count startjob's activities record in their error details.
Anything unforeseen still becomes a `JobError` (JOB_FAILED, with the exception's class name).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from temporalio.client import WorkflowFailureError
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    CancelledError,
    FailureError,
    RetryState,
    TerminatedError,
    TimeoutError,
)
from temporalio.service import RPCError, RPCStatusCode

from activities import FAILURE_INFO_KEY, INVALID_SETTINGS_ERROR_TYPE, RESULT_TOO_LARGE_ERROR_TYPE

from ._codes import ErrorCode
from ._result import JobError

__all__ = ["ErrorContext", "attempts_recorded", "job_error", "job_error_from_exception"]

_UNREACHABLE_STATUSES = {
    RPCStatusCode.UNAVAILABLE,
    RPCStatusCode.DEADLINE_EXCEEDED,
    RPCStatusCode.RESOURCE_EXHAUSTED,
    RPCStatusCode.UNKNOWN,
    RPCStatusCode.ABORTED,
    RPCStatusCode.INTERNAL,
    RPCStatusCode.CANCELLED,
}


@dataclass(frozen=True)
class ErrorContext:
    """What the caller knows about the launch when the failure happened."""

    job_type: str
    item_index: int
    workflow_id: str | None = None
    run_id: str | None = None
    trace_id: str | None = None


def job_error(
    code: ErrorCode,
    message: str,
    context: ErrorContext,
    *,
    retryable: bool | None = None,
    attempts: int = 0,
    error_type: str | None = None,
    details: Any = None,
) -> JobError:
    """A `JobError` with the context filled in and `retryable` from the code's default."""
    return JobError(
        code=code,
        message=message,
        job_type=context.job_type,
        item_index=context.item_index,
        retryable=code.retryable if retryable is None else retryable,
        attempts=attempts,
        error_type=error_type,
        details=details,
        workflow_id=context.workflow_id,
        run_id=context.run_id,
        trace_id=context.trace_id,
    )


def job_error_from_exception(exc: BaseException, context: ErrorContext) -> JobError:
    """Translate any exception from launching or awaiting a job."""
    chain = list(_causes(exc))
    for cause in chain:
        if isinstance(cause, RPCError):
            return _from_rpc_error(cause, context)
        if isinstance(cause, RuntimeError) and "Failed client connect" in str(cause):
            return job_error(ErrorCode.UNAVAILABLE, f"Temporal is unreachable: {cause}", context,
                             error_type="ConnectionError")
        if isinstance(cause, TimeoutError):
            return _from_timeout(cause, chain, context)
        if isinstance(cause, CancelledError | asyncio.CancelledError):
            return job_error(ErrorCode.CANCELLED, f"job cancelled: {_text(cause, 'cancelled')}",
                             context, error_type="CancelledError",
                             attempts=attempts_recorded(chain) or 0)
        if isinstance(cause, TerminatedError):
            return job_error(ErrorCode.CANCELLED, f"job terminated: {_text(cause, 'terminated')}",
                             context, error_type="TerminatedError")
    application = next((c for c in reversed(chain) if isinstance(c, ApplicationError)), None)
    if application is not None:
        return _from_application_error(application, chain, context)
    root = chain[-1]
    return job_error(
        ErrorCode.JOB_FAILED, f"job failed: {_text(root, type(root).__name__)}", context,
        retryable=False, error_type=type(root).__name__,
    )


def attempts_recorded(chain: list[BaseException]) -> int | None:
    """The attempt number startjob's activity wrote into the deepest ApplicationError."""
    for cause in reversed(chain):
        if isinstance(cause, ApplicationError):
            info = _failure_info(cause)
            if info is not None and isinstance(info.get("attempt"), int):
                return int(info["attempt"])
    return None


def _from_application_error(
    err: ApplicationError, chain: list[BaseException], context: ErrorContext
) -> JobError:
    attempts = attempts_recorded(chain) or 0
    error_type = err.type or "ApplicationError"
    details = _user_details(err)
    if error_type == RESULT_TOO_LARGE_ERROR_TYPE:
        return job_error(ErrorCode.PAYLOAD_TOO_LARGE, err.message, context, attempts=attempts,
                         error_type=error_type, details=_failure_info(err))
    if error_type == INVALID_SETTINGS_ERROR_TYPE:
        return job_error(ErrorCode.INVALID_SETTINGS, err.message, context, attempts=attempts,
                         error_type=error_type, details=details)
    plural = "attempt" if attempts == 1 else "attempts"
    prefix = f"job failed after {attempts} {plural}" if attempts else "job failed"
    # Also non-retryable when the retry policy listed the type (non_retryable_error_types).
    ruled_out = any(isinstance(c, ActivityError)
                    and c.retry_state == RetryState.NON_RETRYABLE_FAILURE for c in chain)
    return job_error(
        ErrorCode.JOB_FAILED, f"{prefix}: {err.message}", context,
        retryable=not (err.non_retryable or ruled_out), attempts=attempts, error_type=error_type,
        details=details,
    )


def _from_timeout(err: TimeoutError, chain: list[BaseException], context: ErrorContext) -> JobError:
    kind = err.type.name if err.type is not None else "UNSPECIFIED"
    last = next((c for c in chain[chain.index(err) + 1:] if isinstance(c, ApplicationError)), None)
    message = f"job timed out ({kind.lower().replace('_', '-')} timeout)"
    if last is not None:
        message += f"; last failure: {last.message}"
    return job_error(
        ErrorCode.TIMEOUT, message, context, attempts=attempts_recorded(chain) or 0,
        error_type="TimeoutError", details={"timeoutType": kind},
    )


def _from_rpc_error(err: RPCError, context: ErrorContext) -> JobError:
    text = err.message or str(err)
    if "size exceeds limit" in text.lower():
        return job_error(ErrorCode.PAYLOAD_TOO_LARGE, f"Temporal refused the job's input: {text}",
                         context, error_type="RPCError")
    if err.status == RPCStatusCode.INVALID_ARGUMENT and "search attribute" in text.lower():
        return job_error(
            ErrorCode.UNAVAILABLE,
            f"Temporal refused the job: {text}. Register startjob's search attributes on the "
            "namespace: temporal operator search-attribute create --name JobType --type Keyword "
            "--name ItemIndex --type Int --name ExecutionId --type Keyword "
            "--name NodeName --type Keyword",
            context, retryable=False, error_type="RPCError",
        )
    retryable = err.status in _UNREACHABLE_STATUSES
    return job_error(
        ErrorCode.UNAVAILABLE, f"Temporal did not accept the call ({err.status.name}): {text}",
        context, retryable=retryable, error_type="RPCError",
        details={"status": err.status.name},
    )


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        nxt = current.cause if isinstance(current, FailureError) else None
        if isinstance(current, WorkflowFailureError):
            nxt = current.cause
        current = nxt or current.__cause__


def _failure_info(err: ApplicationError) -> dict[str, Any] | None:
    if err.details and isinstance(err.details[0], dict):
        info = err.details[0].get(FAILURE_INFO_KEY)
        if isinstance(info, dict):
            return info
    return None


def _user_details(err: ApplicationError) -> Any:
    details = list(err.details)
    if details and _failure_info(err) is not None:
        details = details[1:]
    if not details:
        return None
    return details[0] if len(details) == 1 else details


def _text(exc: BaseException, fallback: str) -> str:
    if isinstance(exc, FailureError):
        return exc.message or fallback
    return str(exc) or fallback
