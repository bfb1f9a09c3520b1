"""What every section hands back: table rows (a figure, its baseline, the ratio, the target)
and the raw numbers for `latest.json`."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Plan", "Row", "SectionResult", "at_least", "at_most"]


@dataclass(frozen=True)
class Plan:
    """How much each section measures: the full run (`make bench`) or `--quick`."""

    quick: bool = False
    sequential: int = 200
    """Sequential calls per variant (sections 1 and 2)."""
    warmup: int = 20
    block: int = 10
    """Calls per variant before switching to the other (ABAB interleaving)."""
    throughput_jobs: int = 1000
    throughput_rounds: int = 2
    scaling: tuple[tuple[int, int], ...] = ((1, 30), (16, 160), (64, 1000), (256, 256))
    """(concurrency, jobs per round) pairs of section 6; c=64 reuses section 3's rounds."""
    scaling_rounds: int = 2
    tracing_calls: int = 200
    waiting_calls: int = 1000
    memory_rounds: int = 2
    """Section 5: RSS readings per variant (bridge, plain temporalio), alternating."""

    @classmethod
    def quick_plan(cls) -> Plan:
        return cls(quick=True, sequential=6, warmup=2, block=3, throughput_jobs=24,
                   throughput_rounds=1, scaling=((1, 4), (16, 24)), scaling_rounds=1,
                   tracing_calls=6, waiting_calls=20, memory_rounds=1)


@dataclass(frozen=True)
class Row:
    section: str
    metric: str
    ours: float
    baseline: float | None
    unit: str
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("ours", "baseline", "ratio"):
            value = data[key]
            if isinstance(value, float):
                data[key] = None if math.isnan(value) else round(value, 4)
        return data


@dataclass
class SectionResult:
    name: str
    rows: list[Row] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


def at_most(value: float | None, limit: float) -> bool | None:
    return None if value is None or math.isnan(value) else value <= limit


def at_least(value: float | None, limit: float) -> bool | None:
    return None if value is None or math.isnan(value) else value >= limit
