"""Section 4: tracing on (`init_telemetry` with an in-memory exporter behind a batch processor,
every span kept) versus off (no SDK, `JobClient(tracing=False)`), each in its own process,
driven in turns."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from ._report import Plan, Row, SectionResult, at_most
from ._stats import ratio, summarize

__all__ = ["tracing_overhead"]

ROOT = Path(__file__).resolve().parents[1]


class Child:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    @contextlib.asynccontextmanager
    async def start(cls, address: str, tracing: bool) -> AsyncIterator[Child]:
        mode = "on" if tracing else "off"
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench._child", "--address", address,
            "--task-queue", f"bench-tracing-{mode}", "--tracing", mode, cwd=ROOT,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        try:
            child = cls(process)
            await child.expect_ready()
            yield child
        finally:
            if process.stdin is not None:
                process.stdin.close()
            try:
                await asyncio.wait_for(process.wait(), 15)
            except TimeoutError:
                process.kill()
                await process.wait()

    async def expect_ready(self) -> None:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), 60)
        if line.strip() != b"ready":
            raise RuntimeError(f"the tracing benchmark process did not start: {line!r}")

    async def run(self, calls: int) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{calls}\n".encode())
        await self.process.stdin.drain()
        line = await self.process.stdout.readline()
        if not line:
            raise RuntimeError("the tracing benchmark process exited")
        answer: dict[str, Any] = json.loads(line)
        return answer


async def tracing_overhead(address: str, plan: Plan) -> SectionResult:
    async with Child.start(address, False) as off, Child.start(address, True) as on:
        await off.run(plan.warmup)
        await on.run(plan.warmup)
        samples: dict[str, list[float]] = {"off": [], "on": []}
        spans = 0
        turn = 0
        while len(samples["on"]) < plan.tracing_calls:
            block = min(plan.block, plan.tracing_calls - len(samples["on"]))
            pair = [("off", off), ("on", on)]
            for name, child in pair if turn % 2 == 0 else reversed(pair):
                answer = await child.run(block)
                samples[name] += answer["latencies"]
                if name == "on":
                    spans += int(answer["spans"])
            turn += 1
    summaries = {name: summarize(values) for name, values in samples.items()}
    on_s, off_s = summaries["on"], summaries["off"]
    per_job = spans / max(1, len(samples["on"]))
    result = SectionResult("4. tracing on vs off", details={
        "off": off_s.as_dict(), "on": on_s.as_dict(), "spans_per_job": round(per_job, 2)})
    p50 = ratio(on_s.p50, off_s.p50)
    result.rows += [
        Row("4", "echo p50, tracing on vs off", on_s.p50, off_s.p50, "ms", p50, "≤ 1.10x",
            at_most(p50, 1.10), note=f"{per_job:.1f} spans per job exported"),
        Row("4", "echo p99, tracing on vs off", on_s.p99, off_s.p99, "ms",
            ratio(on_s.p99, off_s.p99)),
    ]
    return result
