"""Section 2: the TypeScript client from `node` → the bridge (served in this process, with its
co-located worker) → the job, against `JobClient.start_job` called directly on the bridge's own
client. A keep-alive Python HTTP client is measured too, to separate the HTTP hop from node."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import shutil
import statistics
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from node_bridge import Failure, JobClient, JobClientConfig, Success
from node_bridge.bridge import BridgeConfig, serve_bridge

from ._env import SETTINGS, Stack
from ._latency import interleaved
from ._report import Plan, Row, SectionResult, at_most
from ._stats import ratio, summarize

__all__ = ["NODE_SCRIPT", "bridge_latency"]

NODE_SCRIPT = Path(__file__).with_name("node") / "bridge_client.mjs"
JS_DIST = Path(__file__).resolve().parents[1] / "node_bridge" / "js" / "dist" / "index.js"
BRIDGE_QUEUE = "bench-bridge"
JOB_TYPE = "echo"


@contextlib.asynccontextmanager
async def bridge(client: JobClient) -> AsyncIterator[str]:
    """The bridge on a free loopback port in this process; yields its base URL."""
    ready: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(serve_bridge(BridgeConfig(host="127.0.0.1", port=0),
                                            client=client, on_ready=ready.set_result))
    try:
        waiting: set[asyncio.Future[Any]] = {task, ready}
        done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()
            raise RuntimeError("the bridge stopped before it was ready")
        yield ready.result()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class NodeClient:
    """`bench/node/bridge_client.mjs`: the TS client running sequential calls on request."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process

    @classmethod
    @contextlib.asynccontextmanager
    async def start(cls, url: str) -> AsyncIterator[NodeClient]:
        node = shutil.which("node")
        if node is None or not JS_DIST.exists():
            raise RuntimeError("section 2 needs node and node_bridge/js/dist: run "
                               "`npm ci && npm run build` in node_bridge/js")
        process = await asyncio.create_subprocess_exec(
            node, str(NODE_SCRIPT), url, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE)
        try:
            yield cls(process)
        finally:
            if process.stdin is not None:
                process.stdin.close()
            try:
                await asyncio.wait_for(process.wait(), 5)
            except TimeoutError:
                process.kill()
                await process.wait()

    async def run(self, calls: int) -> list[float]:
        assert self._process.stdin is not None and self._process.stdout is not None
        command = {"n": calls, "jobType": JOB_TYPE, "settings": SETTINGS}
        self._process.stdin.write((json.dumps(command) + "\n").encode())
        await self._process.stdin.drain()
        line = await self._process.stdout.readline()
        if not line:
            raise RuntimeError("the node benchmark client exited")
        answer: dict[str, Any] = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"a job through the bridge failed: {answer['error']}")
        return [float(x) for x in answer["latencies"]]


class TimedJobClient(JobClient):
    """A `JobClient` that records how long each `start_job` took, in seconds: inside the
    bridge, that is the job itself, so a node call's latency minus it is the bridge's hop for
    that very call (paired, free of the noise between two samples)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.durations: list[float] = []

    async def start_job(self, *args: Any, **kwargs: Any) -> Success | Failure:
        started = time.perf_counter()
        try:
            return await super().start_job(*args, **kwargs)
        finally:
            self.durations.append(time.perf_counter() - started)


async def bridge_latency(stack: Stack, plan: Plan) -> SectionResult:
    client = TimedJobClient(stack.jobs.temporal_client,
                            config=JobClientConfig(task_queue=BRIDGE_QUEUE), tracing=False)
    body = {"jobType": JOB_TYPE, "settings": SETTINGS, "itemIndex": 0}
    async with (bridge(client) as url, NodeClient.start(url) as node,
                httpx.AsyncClient(base_url=url, timeout=60) as http):

        async def via_http() -> None:
            response = await http.post("/v1/jobs", json=body)
            if response.status_code != 200 or not response.json().get("success"):
                raise RuntimeError(f"a job through the bridge failed: {response.text}")

        samples: dict[str, list[float]] = {"node": [], "direct": [], "http": []}
        pairs: list[tuple[float, float]] = []  # (node latency, start_job in the bridge)
        await node.run(plan.warmup)
        calls = plan.sequential
        while len(samples["node"]) < calls:
            block = min(plan.block, calls - len(samples["node"]))
            recorded = len(client.durations)
            latencies = await node.run(block)  # only the node's calls run meanwhile
            inside = client.durations[recorded:]
            if len(inside) == len(latencies):
                pairs += zip(latencies, inside, strict=True)
            samples["node"] += latencies
            more = await interleaved({"direct": lambda: client.start_job(JOB_TYPE, SETTINGS, 0),
                                      "http": via_http}, block, block,
                                     plan.warmup if not samples["direct"] else 0)
            for name, values in more.items():
                samples[name] += values
    summaries = {name: summarize(values) for name, values in samples.items()}
    direct, node_s, http_s = summaries["direct"], summaries["node"], summaries["http"]
    hops = summarize([total - job for total, job in pairs])
    paired = statistics.median(total / job for total, job in pairs) if pairs else math.nan
    result = SectionResult("2. through the bridge", details={
        "node_ts_client": node_s.as_dict(), "python_httpx_keepalive": http_s.as_dict(),
        "direct_start_job": direct.as_dict(), "paired_calls": len(pairs),
        "hop_per_call": hops.as_dict(), "paired_ratio_p50": round(paired, 4)})
    p50 = ratio(node_s.p50, direct.p50)
    result.rows += [
        Row("2", "node → bridge → echo p50", node_s.p50, direct.p50, "ms", p50, "≤ 1.10x",
            at_most(p50, 1.10), note=f"+{node_s.p50 - direct.p50:.1f} ms over direct"),
        Row("2", "node → bridge → echo p99", node_s.p99, direct.p99, "ms",
            ratio(node_s.p99, direct.p99)),
        Row("2", "httpx keep-alive → bridge p50", http_s.p50, direct.p50, "ms",
            ratio(http_s.p50, direct.p50), note="the HTTP hop without node"),
        Row("2", "bridge hop per node call p50 (paired)", hops.p50, None, "ms", paired,
            note="each call's latency minus its own start_job in the bridge; ratio: "
                 "median of latency / start_job"),
    ]
    return result
