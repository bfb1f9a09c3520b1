"""The bridge's request and response bodies, as pydantic models with camelCase JSON names.

They exist for validation and for the OpenAPI document; the Result itself is `node_bridge`'s
`Success | Failure`, answered unchanged.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from activities import Progress
from workflows import JobOptions

from .._prepare import MAX_ITEM_INDEX
from .._result import JobError
from .._status import JobStatus

__all__ = [
    "CancelRequested",
    "Health",
    "JobRunning",
    "JobStatusBody",
    "JobTypeInfo",
    "JobTypeList",
    "StartJobRequest",
]

_CAMEL = ConfigDict(alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True)


class StartJobRequest(BaseModel):
    """`POST /v1/jobs`: launch a job and wait for its Result."""

    model_config = _CAMEL

    job_type: str = Field(min_length=1, max_length=200, description="A registered job type.")
    settings: Any = Field(
        description="The job's settings: any JSON value its job type's model accepts "
        "(usually an object); validated against that model before launch.")
    item_index: int = Field(strict=True, ge=0, le=MAX_ITEM_INDEX,
                            description="The caller's item index (n8n's item number).")
    idempotency_key: str | None = Field(
        default=None, min_length=1, max_length=400,
        description="The same key (per job type) runs the job once; later calls attach.")
    execution_id: str | None = Field(default=None, max_length=400,
                                     description="The caller's execution id (search attribute).")
    node_name: str | None = Field(default=None, max_length=400,
                                  description="The calling node's name (search attribute).")
    wait_seconds: float | None = Field(
        default=None, gt=0,
        description="How long to wait before answering 202; the bridge's maximum clamps it.")


class JobRunning(BaseModel):
    """202: the wait ran out and the job goes on; `GET /v1/jobs/{jobId}?waitSeconds=N`."""

    model_config = _CAMEL

    job_id: str
    run_id: str | None = None
    job_type: str | None = None
    item_index: int | None = None
    status: Literal["RUNNING"] = "RUNNING"
    attempt: int | None = None
    progress: Progress | None = None
    message: str | None = Field(default=None, description="Why the answer is not final yet.")


class JobStatusBody(JobStatus):
    """200 from `GET /v1/jobs/{jobId}` once the job ended: its status fields and its Result
    (nested as `result`, and also spread at the top level, so the body is itself a Result)."""

    success: bool | None = None
    data: Any = None
    error: JobError | None = None


class CancelRequested(BaseModel):
    """202 from `POST /v1/jobs/{jobId}/cancel`: the waiting caller gets CANCELLED."""

    model_config = _CAMEL

    job_id: str
    status: Literal["CANCEL_REQUESTED"] = "CANCEL_REQUESTED"


class JobTypeInfo(BaseModel):
    model_config = _CAMEL

    name: str
    description: str = ""
    settings_schema: dict[str, Any]
    result_schema: dict[str, Any]
    retry_policy: dict[str, Any] = Field(description="Retry defaults, ops overrides applied.")
    options: dict[str, Any] = Field(description="Timeouts and the rest of the resolved options.")
    local: bool
    task_queue: str

    @classmethod
    def describe(cls, name: str, description: str, settings_schema: dict[str, Any],
                 result_schema: dict[str, Any], options: JobOptions,
                 default_queue: str) -> JobTypeInfo:
        dumped = options.model_dump(mode="json", by_alias=True)
        return cls(name=name, description=description, settings_schema=settings_schema,
                   result_schema=result_schema, retry_policy=dumped.pop("retryPolicy"),
                   options=dumped, local=options.local,
                   task_queue=options.task_queue or default_queue)


class JobTypeList(BaseModel):
    model_config = _CAMEL

    job_types: list[JobTypeInfo]


class Health(BaseModel):
    status: Literal["ok"] = "ok"
