"""Human durations for config files and flags: `500ms`, `30s`, `5m`, `1h`, `1d`, `1h30m`,
a number of seconds, or ISO 8601 (`PT30S`)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

__all__ = ["Duration", "PositiveDuration", "parse_duration"]

_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(value: str) -> timedelta:
    """`'1h30m'` → 1.5 hours. Raises ValueError naming the accepted forms."""
    text = value.strip().lower().replace(" ", "")
    try:
        return timedelta(seconds=float(text))
    except ValueError:
        pass
    parts = _PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(
            f"{value!r} is not a duration: use e.g. 500ms, 30s, 5m, 1h, 1d or 1h30m"
        )
    return timedelta(seconds=sum(float(n) * _UNITS[u] for n, u in parts))


def _coerce(value: Any) -> Any:
    if isinstance(value, str) and not value.upper().startswith("P"):
        return parse_duration(value)
    return value


Duration = Annotated[timedelta, BeforeValidator(_coerce)]
"""A `timedelta` field that also accepts the human forms above."""


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("must be more than 0 (leave it out to keep the job type's value)")
    return value


PositiveDuration = Annotated[Duration, AfterValidator(_positive)]
"""A `Duration` over zero: for settings where 0 would silently mean "not set"."""
