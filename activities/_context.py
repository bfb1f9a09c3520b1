"""`JobContext`: what a running job may ask of startjob.

A job reports progress (sent as a Temporal heartbeat, so whoever awaits the job sees it and a
retry can resume from the last checkpoint), reads which attempt it is, and notices cancellation.
Works the same from async jobs and from sync jobs running in a worker thread.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from temporalio import activity

__all__ = ["JobContext", "Progress"]


class Progress(BaseModel):
    """One progress report, as heartbeat details and as shown to callers."""

    model_config = ConfigDict(frozen=True)

    fraction: float = Field(ge=0.0, le=1.0)
    message: str | None = None
    checkpoint: Any = None
    """Whatever the job needs to resume on its next attempt (JSON-serializable)."""


class JobContext:
    """Handed to a job as its second parameter.

    Attributes:
        job_type: The job type being run.
        item_index: The caller's item index.
        attempt: 1 on the first attempt, 2 on the first retry, ...
        workflow_id: The Temporal workflow id: the job id callers use to attach.
        last_progress: The last progress reported by an earlier attempt, or `None`.
        logger: A logger whose records carry the job's Temporal identifiers.
    """

    def __init__(self, *, job_type: str, item_index: int) -> None:
        info = activity.info()
        self.job_type = job_type
        self.item_index = item_index
        self.attempt: int = info.attempt
        self.workflow_id: str | None = info.workflow_id
        self.is_local: bool = info.is_local
        self.last_progress: Progress | None = _progress_from_details(info.heartbeat_details)
        self.logger: logging.LoggerAdapter[logging.Logger] = activity.logger
        self._cancelled = threading.Event()
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._activity_context = contextvars.copy_context()

    def progress(
        self, fraction: float, message: str | None = None, *, checkpoint: Any = None
    ) -> None:
        """Report progress between 0.0 and 1.0; also a heartbeat.

        Job types with a `heartbeat_timeout` must call this more often than that timeout.
        """
        report = Progress(fraction=max(0.0, min(1.0, float(fraction))), message=message,
                          checkpoint=checkpoint)
        if self.is_local:
            return  # local activities cannot heartbeat: their progress stays in the worker
        details = report.model_dump(mode="json")
        if threading.get_ident() == self._loop_thread:
            activity.heartbeat(details)
        else:
            # Heartbeats of async activities must be scheduled on the worker's event loop.
            self._loop.call_soon_threadsafe(self._activity_context.run, activity.heartbeat, details)

    @property
    def cancelled(self) -> threading.Event:
        """Set once cancellation was requested; sync jobs poll it, async jobs also get
        `asyncio.CancelledError` at their next await."""
        return self._cancelled

    def is_cancelled(self) -> bool:
        return self._cancelled.is_set()

    def _mark_cancelled(self) -> None:
        self._cancelled.set()


def _progress_from_details(details: Any) -> Progress | None:
    if not details:
        return None
    try:
        return Progress.model_validate(details[0])
    except (ValidationError, IndexError, TypeError):
        return None
