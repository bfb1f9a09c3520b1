"""Percentiles, ratios and timing loops shared by the benchmark sections."""

from __future__ import annotations

import asyncio
import math
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Batch", "Summary", "percentile", "ratio", "run_batch", "summarize", "timed"]


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (`fraction` in 0..1) of `values`; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True)
class Summary:
    """Latencies in milliseconds."""

    n: int
    p50: float
    p90: float
    p99: float
    mean: float

    def as_dict(self) -> dict[str, float]:
        return {"n": self.n, "p50_ms": round(self.p50, 2), "p90_ms": round(self.p90, 2),
                "p99_ms": round(self.p99, 2), "mean_ms": round(self.mean, 2)}


def summarize(seconds: Sequence[float]) -> Summary:
    ms = [s * 1000.0 for s in seconds]
    return Summary(n=len(ms), p50=percentile(ms, 0.5), p90=percentile(ms, 0.9),
                   p99=percentile(ms, 0.99), mean=statistics.fmean(ms) if ms else math.nan)


def ratio(ours: float, baseline: float) -> float:
    return ours / baseline if baseline else math.nan


async def timed(call: Callable[[], Awaitable[Any]]) -> float:
    """Seconds one call took; raises if it returned a failed Result."""
    started = time.perf_counter()
    outcome = await call()
    elapsed = time.perf_counter() - started
    if getattr(outcome, "success", True) is False:
        raise RuntimeError(f"a benchmark job failed: {outcome}")
    return elapsed


@dataclass(frozen=True)
class Batch:
    jobs: int
    concurrency: int
    wall_seconds: float
    latencies: list[float]

    @property
    def throughput(self) -> float:
        return self.jobs / self.wall_seconds


async def run_batch(call: Callable[[], Awaitable[Any]], jobs: int, concurrency: int) -> Batch:
    """`jobs` calls with at most `concurrency` in flight: wall time and each call's latency."""
    remaining = jobs
    latencies: list[float] = []

    async def lane() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            latencies.append(await timed(call))

    started = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(min(concurrency, jobs))))
    return Batch(jobs, concurrency, time.perf_counter() - started, latencies)
