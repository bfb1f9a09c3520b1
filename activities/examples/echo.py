"""`echo`: returns its settings. For smoke tests and benchmarks, so it runs as a local
activity (no extra round trip to the server)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from .._definition import job

__all__ = ["echo"]


@job("echo", local=True, start_to_close_timeout=timedelta(seconds=30))
async def echo(settings: Any) -> Any:
    """Return the settings unchanged."""
    return settings
