"""The error codes of a startjob Result, and everything each one implies.

| code              | retryable      | HTTP | CLI exit | produced by                                              |
|-------------------|----------------|------|----------|----------------------------------------------------------|
| UNKNOWN_JOB_TYPE  | no             | 404  | 3        | a job type no loaded module registered (nothing launched) |
| INVALID_SETTINGS  | no             | 422  | 4        | pydantic validation before launch, or in the activity     |
|                   |                |      |          | (`ApplicationError` type `InvalidSettings`); bad itemIndex|
| PAYLOAD_TOO_LARGE | no             | 413  | 5        | settings over the limit (nothing launched); a result over |
|                   |                |      |          | the limit (`PayloadTooLarge`); RPC "Blob data size ..."   |
| JOB_FAILED        | unless the     | 200  | 1        | `WorkflowFailureError` → `ActivityError` →                |
|                   | error said so  |      |          | `ApplicationError` after the retry policy gave up; also   |
|                   |                |      |          | any cause nobody foresaw                                  |
| TIMEOUT           | yes            | 200  | 6        | `TimeoutError` in the cause chain (a job timeout), or the |
|                   |                |      |          | caller's wait ran out (the job goes on: attach again)     |
| CANCELLED         | no             | 200  | 7        | `CancelledError` / `TerminatedError` in the cause chain   |
| UNAVAILABLE       | yes            | 503  | 8        | connect `RuntimeError`, `RPCError` (UNAVAILABLE, ...)     |
| UNAUTHORIZED      | no             | 401  | 9        | the HTTP bridge's token check                             |

The bridge answers a *finished* job with 200 whatever its code; the 4xx/5xx statuses are for
requests that launched nothing. Bridge and CLI read this table, never restate it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["ErrorCode", "ErrorCodeInfo"]


@dataclass(frozen=True)
class ErrorCodeInfo:
    retryable: bool
    http_status: int
    exit_code: int
    launched_nothing: bool


class ErrorCode(StrEnum):
    UNKNOWN_JOB_TYPE = "UNKNOWN_JOB_TYPE"
    INVALID_SETTINGS = "INVALID_SETTINGS"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    JOB_FAILED = "JOB_FAILED"
    TIMEOUT = "TIMEOUT"
    CANCELLED = "CANCELLED"
    UNAVAILABLE = "UNAVAILABLE"
    UNAUTHORIZED = "UNAUTHORIZED"

    @property
    def info(self) -> ErrorCodeInfo:
        return _INFO[self]

    @property
    def retryable(self) -> bool:
        return self.info.retryable

    @property
    def http_status(self) -> int:
        return self.info.http_status

    @property
    def exit_code(self) -> int:
        return self.info.exit_code


_INFO: dict[ErrorCode, ErrorCodeInfo] = {
    ErrorCode.UNKNOWN_JOB_TYPE: ErrorCodeInfo(False, 404, 3, True),
    ErrorCode.INVALID_SETTINGS: ErrorCodeInfo(False, 422, 4, True),
    ErrorCode.PAYLOAD_TOO_LARGE: ErrorCodeInfo(False, 413, 5, True),
    ErrorCode.JOB_FAILED: ErrorCodeInfo(True, 200, 1, False),
    ErrorCode.TIMEOUT: ErrorCodeInfo(True, 200, 6, False),
    ErrorCode.CANCELLED: ErrorCodeInfo(False, 200, 7, False),
    ErrorCode.UNAVAILABLE: ErrorCodeInfo(True, 503, 8, True),
    ErrorCode.UNAUTHORIZED: ErrorCodeInfo(False, 401, 9, True),
}
