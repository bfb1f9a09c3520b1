"""Section 5: the bridge's memory per waiting call. A bridge subprocess without a worker, on a
task queue nobody polls, holds `waiting_calls` open `POST /v1/jobs` requests; its VmRSS growth
over the warmed-up process, divided by the number of calls, is the cost of one waiting call.

The baseline (`bench._plain_waits`) is plain `temporalio` in a process of its own holding as
many `WorkflowHandle.result()` waits: what awaiting a workflow costs before any HTTP. RSS swings
by several KiB per call between runs (the allocator, the SDK's native core), so each variant is
read `memory_rounds` times, alternating, and the medians are compared. A run with `tracemalloc`
on (`bench._heap_probe`) measures the Python heap of the bridge's calls: the part that is the
bridge's own code, without the allocator's noise."""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import signal
import statistics
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from temporalio.client import Client

from ._env import SETTINGS
from ._heap_probe import TRACED_PREFIX
from ._report import Plan, Row, SectionResult, at_most
from ._stats import ratio

__all__ = ["bridge_memory", "rss_kib"]

ROOT = Path(__file__).resolve().parents[1]
READY_PREFIX = b"startjob bridge listening on "
HOLD_SECONDS = 280  # each held call's waitSeconds: far longer than the measurement
WAVE = 100  # held calls started at a time


def rss_kib(pid: int) -> int:
    """VmRSS of a process, from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


class BridgeProcess:
    """A bridge subprocess: its pid, URL, and (when started as the heap probe) its heap."""

    def __init__(self, process: asyncio.subprocess.Process, url: str) -> None:
        self.process = process
        self.url = url

    async def traced_kib(self) -> float:
        """The probe's Python heap in use (`bench._heap_probe`), in KiB."""
        assert self.process.stdout is not None
        self.process.send_signal(signal.SIGUSR1)
        line = await asyncio.wait_for(self.process.stdout.readline(), 30)
        if not line.startswith(TRACED_PREFIX.encode()):
            raise RuntimeError(f"the heap probe answered {line!r}")
        return int(line[len(TRACED_PREFIX):]) / 1024


@contextlib.asynccontextmanager
async def bridge_process(address: str, task_queue: str, max_calls: int, *,
                         heap_probe: bool = False) -> AsyncIterator[BridgeProcess]:
    env = {**os.environ, "TEMPORAL_ADDRESS": address,
           "STARTJOB_BRIDGE_MAX_CONCURRENT_PER_CLIENT": str(max_calls),
           "STARTJOB_BRIDGE_MAX_WAIT_SECONDS": str(HOLD_SECONDS + 20)}
    module = "bench._heap_probe" if heap_probe else "node_bridge.bridge"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, "--port", "0", "--no-worker",
        "--task-queue", task_queue, cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL)
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 60)
        if not line.startswith(READY_PREFIX):
            raise RuntimeError(f"the bridge did not start: {line!r}")
        yield BridgeProcess(process, line[len(READY_PREFIX):].decode().strip())
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()


async def _settled_rss(pid: int, samples: int = 5) -> float:
    values = []
    for _ in range(samples):
        await asyncio.sleep(0.4)
        values.append(rss_kib(pid))
    return float(statistics.median(values))


def _slope(points: list[tuple[int, float]]) -> float:
    """Least-squares KiB per held call over (held calls, RSS) points."""
    xs = [float(x) for x, _ in points]
    ys = [y for _, y in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return math.nan
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


async def _count(client: Client, marker: str) -> int:
    return (await client.count_workflows(f'ExecutionId = "{marker}"')).count


async def _all_started(temporal: Client, marker: str, count: int,
                       held: list[asyncio.Task[str]]) -> None:
    deadline = asyncio.get_running_loop().time() + 60
    while (started := await _count(temporal, marker)) < count:
        finished = [task for task in held if task.done()]
        if finished or asyncio.get_running_loop().time() > deadline:
            why = repr(finished[0].exception() or finished[0].result()) if finished else ""
            raise RuntimeError(f"the bridge started {started} of {count} held calls; "
                               f"{len(finished)} answered early {why}")
        await asyncio.sleep(0.2)


@dataclass
class Held:
    """Readings of one bridge holding `calls` waiting calls: before, and while holding."""

    before: float
    during: float
    curve: list[tuple[int, float]]


async def _hold(address: str, calls: int, read: Callable[[BridgeProcess], Awaitable[float]],
                *, heap_probe: bool) -> Held:
    """Start a bridge, warm it up, hold `calls` waiting calls in waves, reading it as we go."""
    queue = f"bench-idle-{uuid.uuid4()}"
    temporal = await Client.connect(address)
    limits = httpx.Limits(max_connections=calls + 50, max_keepalive_connections=calls + 50)
    async with (bridge_process(address, queue, 2 * calls + 100, heap_probe=heap_probe) as bridge,
                httpx.AsyncClient(base_url=bridge.url, limits=limits, timeout=None) as http):

        async def call(marker: str, wait: float) -> str:
            body = {"jobType": "echo", "settings": SETTINGS, "itemIndex": 0,
                    "executionId": marker, "waitSeconds": wait}
            response = await http.post("/v1/jobs", json=body)
            return f"HTTP {response.status_code} {response.text[:300]}"

        # Warm up: the same path (start, wait, 202 after the wait) a few dozen times.
        await asyncio.gather(*(call("warmup", 1.0) for _ in range(min(50, calls))))
        before = await read(bridge)
        marker = f"held-{uuid.uuid4()}"
        held: list[asyncio.Task[str]] = []
        curve: list[tuple[int, float]] = [(0, before)]
        try:
            # In waves: a burst of 1,000 starts at once can outlast the start RPC's timeout on
            # a loaded 2-core machine, and then answers 503 instead of waiting.
            for wave in range(0, calls, WAVE):
                size = min(WAVE, calls - wave)
                held += [asyncio.create_task(call(marker, HOLD_SECONDS)) for _ in range(size)]
                await _all_started(temporal, marker, wave + size, held)
                if not heap_probe:
                    curve.append((wave + size, float(rss_kib(bridge.process.pid))))
            await asyncio.sleep(1.0)  # every handler is now waiting on its result
            during = await read(bridge)
        finally:
            for task in held:
                task.cancel()
            await asyncio.gather(*held, return_exceptions=True)
    return Held(before, during, curve)


async def _hold_plain(address: str, calls: int) -> Held:
    """`bench._plain_waits` holding `calls` result waits, read like the bridge."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench._plain_waits", address, str(calls), cwd=ROOT,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None

    async def expect(*prefixes: bytes) -> bytes:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 120)
        if not line.startswith(prefixes):
            raise RuntimeError(f"the plain temporalio waiter answered {line!r}")
        return line

    try:
        await expect(b"warm")
        before = await _settled_rss(process.pid)
        curve: list[tuple[int, float]] = [(0, before)]
        process.stdin.write(b"hold\n")
        await process.stdin.drain()
        while not (line := await expect(b"held ", b"holding")).startswith(b"holding"):
            curve.append((int(line.split()[1]), float(rss_kib(process.pid))))
        during = await _settled_rss(process.pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
    return Held(before, during, curve)


def _per_call(held: Held, calls: int) -> float:
    return (held.during - held.before) / calls


async def bridge_memory(address: str, plan: Plan) -> SectionResult:
    calls = plan.waiting_calls
    bridge_runs: list[Held] = []
    plain_runs: list[Held] = []
    for _ in range(plan.memory_rounds):
        bridge_runs.append(await _hold(
            address, calls, lambda bridge: _settled_rss(bridge.process.pid), heap_probe=False))
        plain_runs.append(await _hold_plain(address, calls))
    heap = await _hold(address, calls, BridgeProcess.traced_kib, heap_probe=True)
    per_call = statistics.median(_per_call(held, calls) for held in bridge_runs)
    plain_per_call = statistics.median(_per_call(held, calls) for held in plain_runs)
    heap_per_call = (heap.during - heap.before) / calls
    rss = bridge_runs[-1]
    marginal = _slope(rss.curve[len(rss.curve) // 2:]) if len(rss.curve) >= 4 else math.nan
    result = SectionResult("5. bridge memory per waiting call", details={
        "waiting_calls": calls, "rounds": plan.memory_rounds,
        "kib_per_call": round(per_call, 2),
        "kib_per_call_by_round": [round(_per_call(held, calls), 2) for held in bridge_runs],
        "plain_temporalio_kib_per_call": round(plain_per_call, 2),
        "plain_temporalio_kib_per_call_by_round": [
            round(_per_call(held, calls), 2) for held in plain_runs],
        "rss_before_kib": rss.before, "rss_holding_kib": rss.during,
        "marginal_kib_per_call": round(marginal, 2),
        "rss_by_held_calls_kib": rss.curve,
        "plain_rss_by_held_calls_kib": plain_runs[-1].curve,
        "python_heap_before_kib": round(heap.before, 1),
        "python_heap_holding_kib": round(heap.during, 1),
        "python_heap_kib_per_call": round(heap_per_call, 2)})
    result.rows += [
        Row("5", f"bridge RSS per waiting call ({calls} held)", per_call, plain_per_call,
            "KiB", ratio(per_call, plain_per_call), "≤ 30 KiB", at_most(per_call, 30.0),
            note=f"baseline: plain temporalio awaiting {calls} results; median of "
                 f"{plan.memory_rounds}; marginal {marginal:.0f} KiB/call"),
        Row("5", "bridge Python heap per waiting call", heap_per_call, None,
            "KiB", None, note="tracemalloc, a separate run; part of the RSS above"),
    ]
    return result
