"""Many jobs through one bridge subprocess, counting what ran and sampling the bridge's memory.

`run_load` posts `jobs` test-record jobs at `concurrency` (an `httpx.AsyncClient` behind a
semaphore), each with its own itemIndex and idempotency key, then reads `runs.log` (one line
per activity execution) to count lost and duplicated jobs. Used by test_load.py (CI size) and
`python -m tests.reliability.soak` (soak size).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from tests.reliability import _procs

SAMPLE_EVERY = 0.2  # seconds between RSS samples
CLIENT_ATTEMPTS = 30  # a client gives up after this many 429s or dropped connections


@dataclass
class LoadReport:
    jobs: int
    concurrency: int
    seconds: float = 0.0
    jobs_per_second: float = 0.0
    successes: int = 0
    failures: dict[str, int] = field(default_factory=dict)
    """Non-Success answers by status and code (transport errors as "transport")."""
    executions: int = 0
    lost: int = 0
    """Jobs that never ran (no runs.log line)."""
    duplicated: int = 0
    """Jobs that ran more than once."""
    rss_kib_before: int = 0
    rss_kib_peak: int = 0
    rss_kib_after: int = 0
    followed: int = 0
    retries: dict[str, int] = field(default_factory=dict)
    """Client retries (429s, dropped connections) that later got their Result."""
    """202 answers (the bridge's wait ran out) followed with GET until the Result came."""
    latency_p50: float = 0.0
    latency_p99: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        return (f"{self.jobs} jobs at concurrency {self.concurrency} in {self.seconds:.1f}s "
                f"({self.jobs_per_second:.0f}/s, p50 {self.latency_p50 * 1000:.0f} ms, "
                f"p99 {self.latency_p99 * 1000:.0f} ms): {self.successes} Success "
                f"({self.followed} followed after 202, client retries {self.retries or 0}), "
                f"failures {self.failures or 0}, {self.executions} executions, "
                f"{self.lost} lost, {self.duplicated} duplicated; bridge RSS "
                f"{self.rss_kib_before / 1024:.0f} MiB before, {self.rss_kib_peak / 1024:.0f} "
                f"MiB peak, {self.rss_kib_after / 1024:.0f} MiB after")


async def run_load(url: str, bridge_pid: int, folder: Path, *, jobs: int, concurrency: int,
                   tag: str = "load", settle: float = 2.0) -> LoadReport:
    report = LoadReport(jobs=jobs, concurrency=concurrency)
    report.rss_kib_before = _procs.rss_kib(bridge_pid) or 0
    peak = [report.rss_kib_before]
    stop = asyncio.Event()

    async def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _procs.rss_kib(bridge_pid) or 0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), SAMPLE_EVERY)

    gate = asyncio.Semaphore(concurrency)
    failures: Counter[str] = Counter()
    retries: Counter[str] = Counter()
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(base_url=url, timeout=httpx.Timeout(300.0, connect=30.0),
                                 limits=limits) as http:

        followed = 0

        async def one(i: int) -> None:
            nonlocal followed
            async with gate:
                started = time.monotonic()
                request = {"jobType": "test-record", "itemIndex": i, "waitSeconds": 240,
                           "idempotencyKey": f"{tag}-{i}",
                           "settings": {"dir": str(folder), "tag": tag}}
                # As real clients do (the TS client): retry a dropped connection or a 429
                # with the same idempotency key, which attaches instead of running twice.
                for attempt in range(1, CLIENT_ATTEMPTS + 1):
                    try:
                        response = await http.post("/v1/jobs", json=request)
                        body = response.json()
                        while response.status_code == 202:  # the wait ran out: follow it
                            followed += 1
                            response = await http.get(
                                f"/v1/jobs/{quote(body['jobId'], safe='')}",
                                params={"waitSeconds": 60})
                            body = response.json()
                    except httpx.TransportError as err:
                        retries[f"transport {type(err).__name__}"] += 1
                        if attempt == CLIENT_ATTEMPTS:
                            failures[f"transport {type(err).__name__}"] += 1
                            return
                        await asyncio.sleep(min(0.2 * attempt, 2.0))
                        continue
                    if response.status_code != 429 or attempt == CLIENT_ATTEMPTS:
                        break
                    retries["429"] += 1
                    await asyncio.sleep(float(response.headers.get("retry-after", "1")))
                latencies.append(time.monotonic() - started)
                if response.status_code == 200 and body.get("success") is True \
                        and body["data"] == {"tag": tag, "itemIndex": i}:
                    report.successes += 1
                else:
                    code = (body.get("error") or {}).get("code", body.get("status"))
                    failures[f"{response.status_code} {code}"] += 1

        sampler = asyncio.create_task(sample())
        started = time.monotonic()
        try:
            await asyncio.gather(*(one(i) for i in range(jobs)))
        finally:
            report.seconds = time.monotonic() - started
            await asyncio.sleep(settle)  # let the bridge release what the burst held
            stop.set()
            await sampler
    report.rss_kib_peak = peak[0]
    report.rss_kib_after = _procs.rss_kib(bridge_pid) or 0
    report.jobs_per_second = jobs / report.seconds if report.seconds else 0.0
    report.failures = dict(failures)
    report.followed = followed
    report.retries = dict(retries)
    latencies.sort()
    if latencies:
        report.latency_p50 = latencies[len(latencies) // 2]
        report.latency_p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    runs = _procs.runs_by_item(folder)
    report.executions = sum(runs.values())
    report.lost = sum(1 for i in range(jobs) if runs[i] == 0)
    report.duplicated = sum(1 for i in range(jobs) if runs[i] > 1)
    return report
