"""`JobStatus`: what a caller sees of a job it is not (or no longer) waiting on."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from activities import Progress

from ._result import Failure, Success

__all__ = ["JobState", "JobStatus"]

JobState = Literal[
    "RUNNING", "COMPLETED", "FAILED", "CANCELED", "TERMINATED", "TIMED_OUT", "CONTINUED_AS_NEW"
]


class JobStatus(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True,
                              serialize_by_alias=True)

    job_id: str
    run_id: str | None = None
    job_type: str | None = None
    item_index: int | None = None
    status: JobState
    attempt: int | None = None
    """The attempt running now, while the job runs."""
    progress: Progress | None = None
    result: Success | Failure | None = None
    """The Result, once the job has ended."""
