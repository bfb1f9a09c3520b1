"""Checks made before anything is launched: job type known, itemIndex sane, settings small
enough and valid. A refusal carries its code and a message that names the field and the fix."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pydantic_core
from pydantic import BaseModel, ValidationError

from activities import JobDefinition, JobRegistry, describe_validation_error
from workflows import UNSET, JobOptions, JobOverride, RetryPolicySpec, resolve_job_options

from ._codes import ErrorCode

__all__ = [
    "MAX_ITEM_INDEX",
    "MAX_SEARCH_ATTRIBUTE_BYTES",
    "MAX_WORKFLOW_ID_BYTES",
    "LaunchRefused",
    "PreparedJob",
    "check_names",
    "prepare_job",
]

MAX_ITEM_INDEX = 2**53 - 1
"""The largest integer JavaScript callers can send exactly."""

MAX_WORKFLOW_ID_BYTES = 1000
"""Temporal's default `limit.maxIDLength`: the workflow id `job/{jobType}/{idempotencyKey}`."""
MAX_SEARCH_ATTRIBUTE_BYTES = 2048
"""Temporal's default `limit.searchAttributesSizeOfValue`, measured on the JSON-encoded value
(non-ASCII characters as \\u escapes: 6 bytes each, 12 outside the BMP)."""


class LaunchRefused(Exception):
    """Nothing was launched; `code` and `message` say why."""

    def __init__(self, code: ErrorCode, message: str, *, details: Any = None,
                 error_type: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
        self.error_type = error_type


@dataclass(frozen=True)
class PreparedJob:
    definition: JobDefinition
    settings: Any
    """The settings as given, normalized to plain JSON values."""
    settings_bytes: int
    options: JobOptions


def prepare_job(
    job_type: Any,
    settings: Any,
    item_index: Any,
    *,
    registry: JobRegistry,
    max_settings_bytes: int,
    retry_policy: Any = UNSET,
    overrides: Mapping[str, JobOverride] | None = None,
) -> PreparedJob:
    definition = _lookup(job_type, registry)
    check_item_index(item_index)
    normalized, size = _measure(settings, max_settings_bytes)
    _validate(definition, normalized)
    if retry_policy is None:
        retry_policy = UNSET
    if isinstance(retry_policy, Mapping):
        try:
            retry_policy = RetryPolicySpec.model_validate(retry_policy)
        except ValidationError as err:
            raise LaunchRefused(
                ErrorCode.INVALID_SETTINGS,
                f"invalid retryPolicy: {describe_validation_error(err)}",
                details=_errors(err), error_type="ValidationError",
            ) from None
    options = resolve_job_options(definition, call_retry_policy=retry_policy, overrides=overrides)
    return PreparedJob(definition, normalized, size, options)


def check_item_index(item_index: Any) -> int:
    if isinstance(item_index, bool) or not isinstance(item_index, int):
        raise LaunchRefused(
            ErrorCode.INVALID_SETTINGS,
            f"itemIndex must be a whole number from 0 to {MAX_ITEM_INDEX}, "
            f"got {type(item_index).__name__} {item_index!r:.40}",
            details=[{"loc": ["itemIndex"], "msg": "must be a whole number"}],
            error_type="ValidationError",
        )
    if not 0 <= item_index <= MAX_ITEM_INDEX:
        raise LaunchRefused(
            ErrorCode.INVALID_SETTINGS,
            f"itemIndex must be from 0 to {MAX_ITEM_INDEX}, got {item_index}",
            details=[{"loc": ["itemIndex"], "msg": "out of range"}],
            error_type="ValidationError",
        )
    return item_index


def check_names(workflow_id: str, *, execution_id: Any, node_name: Any) -> None:
    """Refuse what Temporal would reject as too long: the workflow id (which holds the
    idempotency key) and the executionId / nodeName search attributes. Temporal's own answer
    (INVALID_ARGUMENT) would otherwise read as a server problem, not as the caller's input."""
    size = len(workflow_id.encode("utf-8", "surrogatepass"))
    if size > MAX_WORKFLOW_ID_BYTES:
        raise LaunchRefused(
            ErrorCode.INVALID_SETTINGS,
            f"idempotencyKey is too long: the workflow id it makes is {size} bytes, over "
            f"Temporal's {MAX_WORKFLOW_ID_BYTES}-byte limit",
            details=[{"loc": ["idempotencyKey"], "msg": "too long"}],
            error_type="ValidationError",
        )
    for field, value in (("executionId", execution_id), ("nodeName", node_name)):
        encoded = len(json.dumps(value)) if isinstance(value, str) else 0
        if encoded > MAX_SEARCH_ATTRIBUTE_BYTES:
            raise LaunchRefused(
                ErrorCode.INVALID_SETTINGS,
                f"{field} is {encoded} bytes as JSON, over Temporal's "
                f"{MAX_SEARCH_ATTRIBUTE_BYTES}-byte search attribute limit (non-ASCII "
                "characters count 6 bytes, emoji 12)",
                details=[{"loc": [field], "msg": "too long"}],
                error_type="ValidationError",
            )


def _lookup(job_type: Any, registry: JobRegistry) -> JobDefinition:
    definition = registry.get(job_type) if isinstance(job_type, str) else None
    if definition is None:
        known = ", ".join(registry.names()[:20]) or "none"
        raise LaunchRefused(
            ErrorCode.UNKNOWN_JOB_TYPE,
            f"unknown job type {str(job_type)[:200]!r}; known job types: {known}. "
            "Register it with @job(...) in a module the worker and client load (--jobs MODULE)",
            error_type="UnknownJobType",
        )
    return definition


def _measure(settings: Any, limit: int) -> tuple[Any, int]:
    if isinstance(settings, BaseModel):
        settings = settings.model_dump(mode="json", by_alias=True)
    try:
        encoded = pydantic_core.to_json(settings)
    except (pydantic_core.PydanticSerializationError, ValueError, RecursionError) as err:
        raise LaunchRefused(
            ErrorCode.INVALID_SETTINGS,
            f"settings must be JSON-serializable (objects, arrays, strings, numbers): {err}",
            error_type="ValidationError",
        ) from None
    if len(encoded) > limit:
        raise LaunchRefused(
            ErrorCode.PAYLOAD_TOO_LARGE,
            f"settings are {len(encoded)} bytes of JSON, over the {limit}-byte limit; pass a "
            "reference (a URL or record id) instead of the data itself",
            details={"size": len(encoded), "limit": limit},
            error_type="PayloadTooLarge",
        )
    return pydantic_core.from_json(encoded), len(encoded)


def _validate(definition: JobDefinition, settings: Any) -> None:
    try:
        definition.settings_adapter.validate_python(settings)
    except ValidationError as err:
        raise LaunchRefused(
            ErrorCode.INVALID_SETTINGS,
            f"invalid settings for job type {definition.name!r}: "
            f"{describe_validation_error(err)}",
            details=_errors(err),
            error_type="ValidationError",
        ) from None


def _errors(err: ValidationError) -> list[dict[str, Any]]:
    # Drop `input`: settings may hold secrets, and the caller already has them.
    return [
        {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]}
        for e in err.errors(include_url=False, include_context=False, include_input=False)
    ]
