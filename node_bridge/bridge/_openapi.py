"""Response declarations for the OpenAPI document: which status carries which body."""

from __future__ import annotations

from typing import Any

from .._result import Failure, Result

__all__ = ["ERROR_RESPONSES", "RESULT_RESPONSE"]

RESULT_RESPONSE: dict[str, Any] = {
    "model": Result,
    "description": "The job ran: its Result, `{success: true, data}` or "
                   "`{success: false, error}` (JOB_FAILED, TIMEOUT, CANCELLED, ...).",
}

_ERRORS = {
    400: "Malformed JSON (code INVALID_SETTINGS).",
    401: "A token is configured and the bearer token is missing or wrong (UNAUTHORIZED).",
    404: "Unknown job type or job id (UNKNOWN_JOB_TYPE).",
    413: "The body or the settings are over the limit (PAYLOAD_TOO_LARGE).",
    422: "A missing or mistyped field, named in the message (INVALID_SETTINGS).",
    503: "Temporal is unreachable (UNAVAILABLE).",
}

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Failure, "description": description}
    for status, description in _ERRORS.items()
}
"""Every refusal answers a full Result with `success: false`."""
