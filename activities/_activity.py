"""Turns a `JobDefinition` into the Temporal activity that runs it.

The activity takes one `JobActivityInput` (so fields can be added without breaking histories),
validates the settings again (the worker may run newer code than the caller), runs the job (sync
functions in a worker thread), and makes every failure an `ApplicationError` that keeps the
original type name, message and non-retryable flag and adds the attempt number, which Temporal's
`ActivityError` does not carry.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
from collections.abc import Callable, Coroutine
from concurrent.futures import Executor
from typing import Any

import pydantic_core
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from temporalio import activity
from temporalio.exceptions import ApplicationError

from ._context import JobContext
from ._definition import JobDefinition

__all__ = [
    "DEFAULT_MAX_RESULT_BYTES",
    "FAILURE_INFO_KEY",
    "INVALID_SETTINGS_ERROR_TYPE",
    "RESULT_TOO_LARGE_ERROR_TYPE",
    "JobActivityInput",
    "build_activity",
    "describe_validation_error",
]

DEFAULT_MAX_RESULT_BYTES = 2 * 1024 * 1024 - 64 * 1024  # bytes
"""Temporal rejects payloads over 2 MiB (and retries that to exhaustion); stop a bit earlier,
leaving room for the envelope, and fail non-retryably instead."""

FAILURE_INFO_KEY = "startjob"
"""Key of the dict startjob puts first in every `ApplicationError`'s details."""

INVALID_SETTINGS_ERROR_TYPE = "InvalidSettings"
RESULT_TOO_LARGE_ERROR_TYPE = "PayloadTooLarge"


class JobActivityInput(BaseModel):
    """The one argument of every job activity."""

    model_config = ConfigDict(populate_by_name=True)

    job_type: str = Field(alias="jobType")
    settings: Any = None
    item_index: int = Field(default=0, alias="itemIndex")
    execution_id: str | None = Field(default=None, alias="executionId")
    node_name: str | None = Field(default=None, alias="nodeName")


def build_activity(
    definition: JobDefinition,
    *,
    max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES,
    executor: Executor | None = None,
) -> Callable[[JobActivityInput], Coroutine[Any, Any, Any]]:
    """The Temporal activity named exactly `definition.name` that runs the job.

    Every job activity is async to Temporal; sync job functions run on `executor` (the event
    loop's default pool when `None`), so one blocking job cannot stall the others.
    """
    takes_context = len(inspect.signature(definition.function).parameters) >= 2

    async def run_job(input: JobActivityInput) -> Any:
        ctx = JobContext(job_type=definition.name, item_index=input.item_index)
        settings = _validate_settings(definition, input.settings, ctx.attempt)
        args: tuple[Any, ...] = (settings, ctx) if takes_context else (settings,)
        try:
            if definition.is_async:
                result = await definition.function(*args)
            else:
                result = await _run_in_thread(executor, definition.function, *args)
        except asyncio.CancelledError:
            ctx._mark_cancelled()
            raise
        except ApplicationError as err:
            raise _with_attempt(err, ctx.attempt) from err
        except Exception as err:
            raise ApplicationError(
                _message_of(err),
                _failure_info(ctx.attempt),
                type=type(err).__name__,
            ) from err
        return _checked_result(definition, result, ctx.attempt, max_result_bytes)

    run_job.__name__ = run_job.__qualname__ = f"run_job[{definition.name}]"
    return activity.defn(name=definition.name)(run_job)


async def _run_in_thread(
    executor: Executor | None, function: Callable[..., Any], *args: Any
) -> Any:
    # A copied context keeps the activity context visible to the thread (logging, heartbeats).
    context = contextvars.copy_context()
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(executor, functools.partial(context.run, function, *args))


def _validate_settings(definition: JobDefinition, raw: Any, attempt: int) -> Any:
    try:
        return definition.settings_adapter.validate_python(raw)
    except ValidationError as err:
        raise ApplicationError(
            f"invalid settings for job type {definition.name!r}: {describe_validation_error(err)}",
            _failure_info(attempt),
            err.errors(include_url=False, include_context=False, include_input=False),
            type=INVALID_SETTINGS_ERROR_TYPE,
            non_retryable=True,
        ) from None


def _checked_result(definition: JobDefinition, result: Any, attempt: int, limit: int) -> Any:
    try:
        encoded = pydantic_core.to_json(result, by_alias=True)
    except pydantic_core.PydanticSerializationError as err:
        raise ApplicationError(
            f"job type {definition.name!r} returned a value that is not JSON-serializable: {err}",
            _failure_info(attempt),
            type="ResultNotSerializable",
            non_retryable=True,
        ) from None
    if len(encoded) > limit:
        raise ApplicationError(
            f"job type {definition.name!r} returned {len(encoded)} bytes of JSON, over the "
            f"{limit}-byte result limit; store large results elsewhere (a file or object store) "
            "and return a reference",
            _failure_info(attempt, size=len(encoded), limit=limit),
            type=RESULT_TOO_LARGE_ERROR_TYPE,
            non_retryable=True,
        )
    return pydantic_core.from_json(encoded) if isinstance(result, BaseModel) else result


def _with_attempt(err: ApplicationError, attempt: int) -> ApplicationError:
    if err.details and isinstance(err.details[0], dict) and FAILURE_INFO_KEY in err.details[0]:
        return err
    return ApplicationError(
        err.message,
        _failure_info(attempt),
        *err.details,
        type=err.type or "ApplicationError",
        non_retryable=err.non_retryable,
        next_retry_delay=err.next_retry_delay,
        category=err.category,
    )


def _failure_info(attempt: int, **extra: Any) -> dict[str, Any]:
    return {FAILURE_INFO_KEY: {"attempt": attempt, **extra}}


def _message_of(err: BaseException) -> str:
    return str(err) or type(err).__name__


def describe_validation_error(err: ValidationError) -> str:
    """`userId: Field required; action: Input should be a valid string` (fields by alias)."""
    parts = []
    for item in err.errors(include_url=False):
        location = ".".join(str(part) for part in item["loc"]) or "settings"
        parts.append(f"{location}: {item['msg']}")
    return "; ".join(parts)
