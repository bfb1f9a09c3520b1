"""Sections 1, 3 and 6: sequential latency, throughput at concurrency 64, and how both grow
with concurrency, each against the baseline, interleaved (ABAB) in the same process."""

from __future__ import annotations

import statistics
from collections.abc import Awaitable, Callable
from typing import Any

from ._env import Stack
from ._jobs import ECHO_ACTIVITY
from ._report import Plan, Row, SectionResult, at_least, at_most
from ._stats import Batch, ratio, run_batch, summarize, timed

__all__ = ["sequential_latency", "throughput_and_scaling"]

Call = Callable[[], Awaitable[Any]]

BASELINE = "baseline"
ECHO = "echo"


async def interleaved(variants: dict[str, Call], calls: int, block: int,
                      warmup: int) -> dict[str, list[float]]:
    """`calls` sequential calls per variant, `block` at a time, rotating which goes first."""
    for call in variants.values():
        for _ in range(warmup):
            await call()
    samples: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    round_ = 0
    while min(len(s) for s in samples.values()) < calls:
        order = names[round_ % len(names):] + names[:round_ % len(names)]
        for name in order:
            for _ in range(min(block, calls - len(samples[name]))):
                samples[name].append(await timed(variants[name]))
        round_ += 1
    return samples


async def sequential_latency(stack: Stack, plan: Plan) -> SectionResult:
    variants = {BASELINE: stack.baseline(), ECHO: stack.job(ECHO),
                ECHO_ACTIVITY: stack.job(ECHO_ACTIVITY)}
    samples = await interleaved(variants, plan.sequential, plan.block, plan.warmup)
    summaries = {name: summarize(values) for name, values in samples.items()}
    base = summaries[BASELINE]
    result = SectionResult("1. sequential latency", details={
        name: s.as_dict() for name, s in summaries.items()})
    shapes = ((ECHO, "local activity + eager start", 0.35),
              (ECHO_ACTIVITY, "activity + eager start", 1.05))
    for name, shape, limit in shapes:
        ours = summaries[name]
        p50 = ratio(ours.p50, base.p50)
        result.rows.append(Row("1", f"{name} p50 ({shape})", ours.p50, base.p50, "ms", p50,
                               f"≤ {limit:.2f}x", at_most(p50, limit)))
        p99 = ratio(ours.p99, base.p99)
        result.rows.append(Row("1", f"{name} p99", ours.p99, base.p99, "ms", p99,
                               "≤ 1.05x", at_most(p99, 1.05)))
    return result


async def _rounds(variants: dict[str, Call], jobs: int, concurrency: int,
                  rounds: int) -> dict[str, list[Batch]]:
    batches: dict[str, list[Batch]] = {name: [] for name in variants}
    names = list(variants)
    for round_ in range(rounds):
        order = names[round_ % len(names):] + names[:round_ % len(names)]
        for name in order:
            batches[name].append(await run_batch(variants[name], jobs, concurrency))
    return batches


def _throughput(batches: list[Batch]) -> float:
    return statistics.median(b.throughput for b in batches)


def _latencies(batches: list[Batch]) -> list[float]:
    return [latency for b in batches for latency in b.latencies]


def _describe(batches: list[Batch]) -> dict[str, Any]:
    return {"jobs_per_second": round(_throughput(batches), 2),
            "rounds": [round(b.throughput, 2) for b in batches],
            "latency": summarize(_latencies(batches)).as_dict()}


async def throughput_and_scaling(stack: Stack, plan: Plan) -> list[SectionResult]:
    # Warm both paths at a little concurrency first (connections, worker slots, caches).
    await run_batch(stack.baseline(), 2 * plan.warmup, 8)
    await run_batch(stack.job(ECHO), 2 * plan.warmup, 8)
    await run_batch(stack.job(ECHO_ACTIVITY), 2 * plan.warmup, 8)

    concurrency = 64
    variants = {BASELINE: stack.baseline(), ECHO: stack.job(ECHO),
                ECHO_ACTIVITY: stack.job(ECHO_ACTIVITY)}
    jobs = plan.throughput_jobs
    main = await _rounds(variants, jobs, concurrency, plan.throughput_rounds)
    base = _throughput(main[BASELINE])
    section3 = SectionResult("3. throughput at concurrency 64", details={
        "jobs": jobs, "concurrency": concurrency,
        **{name: _describe(b) for name, b in main.items()}})
    # echo carries the throughput target; no other job shape may fall behind the baseline.
    for name, limit in ((ECHO, 1.5), (ECHO_ACTIVITY, 1 / 1.05)):
        ours = _throughput(main[name])
        r = ratio(ours, base)
        section3.rows.append(Row("3", f"{name} jobs/s at c={concurrency} ({jobs} jobs)", ours,
                                 base, "jobs/s", r, f"≥ {limit:.2f}x", at_least(r, limit)))

    section6 = SectionResult("6. how cost grows with concurrency")
    pairs = {BASELINE: stack.baseline(), ECHO: stack.job(ECHO)}
    for level, count in plan.scaling:
        if level == concurrency and count == jobs:
            batches = {name: main[name] for name in pairs}
        else:
            batches = await _rounds(pairs, count, level, plan.scaling_rounds)
        section6.details[f"c={level}"] = {"jobs": count,
                                          **{n: _describe(b) for n, b in batches.items()}}
        ours_tp, base_tp = _throughput(batches[ECHO]), _throughput(batches[BASELINE])
        ours_lat = summarize(_latencies(batches[ECHO]))
        base_lat = summarize(_latencies(batches[BASELINE]))
        section6.rows += [
            Row("6", f"echo jobs/s at c={level}", ours_tp, base_tp, "jobs/s",
                ratio(ours_tp, base_tp)),
            Row("6", f"echo p50 at c={level}", ours_lat.p50, base_lat.p50, "ms",
                ratio(ours_lat.p50, base_lat.p50)),
            Row("6", f"echo p99 at c={level}", ours_lat.p99, base_lat.p99, "ms",
                ratio(ours_lat.p99, base_lat.p99)),
        ]
    return [section3, section6]
