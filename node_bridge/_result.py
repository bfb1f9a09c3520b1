"""`Result`, `Success`, `Failure` and `JobError`: the contract's JSON, as pydantic models.

`result.model_dump(mode="json", by_alias=True)` gives exactly
`{"success": true, "data": ...}` or `{"success": false, "error": {...camelCase...}}`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from pydantic.alias_generators import to_camel

from ._codes import ErrorCode

__all__ = ["Failure", "JobError", "Result", "Success", "result_adapter"]


class JobError(BaseModel):
    """Why a job did not succeed. Field names are snake_case here, camelCase in JSON."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True,
        use_enum_values=False,
    )

    code: ErrorCode
    message: str
    job_type: str
    item_index: int
    retryable: bool
    attempts: int = 0
    error_type: str | None = None
    details: Any = None
    workflow_id: str | None = None
    run_id: str | None = None
    trace_id: str | None = None


class Success(BaseModel):
    model_config = ConfigDict(frozen=True)

    success: Literal[True] = True
    data: Any = None


class Failure(BaseModel):
    model_config = ConfigDict(frozen=True)

    success: Literal[False] = False
    error: JobError


Result = Annotated[Success | Failure, Field(discriminator="success")]
"""What `start_job` returns: check `result.success`, then read `data` or `error`."""

result_adapter: TypeAdapter[Success | Failure] = TypeAdapter(Result)
"""Parses and dumps a `Result` as a whole: `result_adapter.validate_json(text)`."""
