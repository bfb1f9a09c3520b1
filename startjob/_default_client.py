"""`startjob.start_job(...)`: `JobClient.start_job` on a client built once from the
environment. Connection failures become an UNAVAILABLE Result, like every other outcome."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from node_bridge import ErrorCode, ErrorContext, Failure, JobClient, Success, job_error

__all__ = ["default_client", "start_job"]

_client: JobClient | None = None
_lock: asyncio.Lock | None = None


async def default_client() -> JobClient:
    """The process-wide client, connected on first use (`TEMPORAL_*` env vars, profiles)."""
    global _client, _lock
    if _client is not None:
        return _client
    if _lock is None:
        _lock = asyncio.Lock()
    async with _lock:
        if _client is None:
            _client = await JobClient.connect()
    return _client


async def start_job(
    job_type: str,
    settings: Any,
    item_index: int = 0,
    *,
    idempotency_key: str | None = None,
    execution_id: str | None = None,
    node_name: str | None = None,
    retry_policy: Any = None,
    wait_timeout: timedelta | float | None = None,
    task_queue: str | None = None,
) -> Success | Failure:
    """Like `JobClient.start_job`, on the default client; never raises for the job's outcome
    or for Temporal being unreachable."""
    try:
        client = await default_client()
    except Exception as err:
        context = ErrorContext(job_type=str(job_type), item_index=
                               item_index if isinstance(item_index, int) else 0)
        return Failure(error=job_error(
            ErrorCode.UNAVAILABLE, f"Temporal is unreachable: {err}", context,
            error_type=type(err).__name__))
    return await client.start_job(
        job_type, settings, item_index, idempotency_key=idempotency_key,
        execution_id=execution_id, node_name=node_name, retry_policy=retry_policy,
        wait_timeout=wait_timeout, task_queue=task_queue,
    )
