"""Job types only the benchmark uses. Importing this module registers them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from activities import job

__all__ = ["ECHO_ACTIVITY", "bench_echo_activity"]

ECHO_ACTIVITY = "bench-echo-activity"


@job(ECHO_ACTIVITY, start_to_close_timeout=timedelta(seconds=30))
async def bench_echo_activity(settings: Any) -> Any:
    """`echo` as a normal (not local) activity: the shape of every job that is not `local`."""
    return settings
