"""A Rich progress bar fed by a running job's heartbeats, for `startjob run`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from node_bridge import Failure, JobClient, Success

__all__ = ["POLL_INTERVAL", "follow_progress"]

POLL_INTERVAL = 0.5  # seconds between looks at the job's heartbeats


async def follow_progress(
    client: JobClient,
    job_id: str,
    launch: Coroutine[Any, Any, Success | Failure],
    console: Console,
) -> Success | Failure:
    """Await `launch` while showing the job's progress; returns the launch's Result."""
    task = asyncio.ensure_future(launch)
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[note]}"),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        row = bar.add_task(job_id, total=1.0, note="starting")
        while not task.done():
            await asyncio.wait({task}, timeout=POLL_INTERVAL)
            if task.done():
                break
            with contextlib.suppress(Exception):  # not started yet, or a passing RPC error
                status = await client.get_job(job_id)
                note = f"attempt {status.attempt}" if status.attempt else status.status.lower()
                if status.progress is not None:
                    note = f"{status.progress.message or ''} ({note})".strip()
                    bar.update(row, completed=status.progress.fraction, note=note)
                else:
                    bar.update(row, note=note)
    return await task
