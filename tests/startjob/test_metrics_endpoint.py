"""Issue 4: `--metrics-port` serves Prometheus text with startjob's job metrics and the Temporal
SDK's runtime metrics. The CLI runs in a subprocess, so its providers and Temporal runtime stay
out of the test process."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import sys
import uuid
from pathlib import Path

import httpx

from node_bridge._telemetry import UNKNOWN_JOB_TYPE_LABEL

REPO = Path(__file__).resolve().parents[2]
READY = re.compile(rb"bridge listening on (http://127\.0\.0\.1:\d+)")
STARTUP_GUARD = 60.0  # seconds: only so a broken CLI fails the test instead of hanging it
SCRAPE_WAIT = 10.0  # seconds: Temporal's metrics are drained into OpenTelemetry every second


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _scrape_until(url: str, *patterns: str) -> str:
    """The metrics text once every pattern is in it (or the last scrape, to show in a failure)."""
    deadline = asyncio.get_running_loop().time() + SCRAPE_WAIT
    async with httpx.AsyncClient(timeout=5.0) as http:
        while True:
            text = (await http.get(url)).text
            if all(re.search(p, text, re.MULTILINE) for p in patterns):
                return text
            if asyncio.get_running_loop().time() > deadline:
                return text
            await asyncio.sleep(0.2)


async def _ready(process: asyncio.subprocess.Process) -> tuple[str, str]:
    """The bridge's URL, and its stderr up to the ready line."""
    assert process.stderr is not None
    seen = b""
    while (match := READY.search(seen)) is None:
        line = await asyncio.wait_for(process.stderr.readline(), STARTUP_GUARD)
        assert line, f"the bridge exited before it was ready:\n{seen.decode()}"
        seen += line
    return match.group(1).decode(), seen.decode()


async def test_the_metrics_port_serves_job_and_temporal_metrics(temporal_address: str) -> None:
    metrics_port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "startjob.cli", "bridge", "--port", "0",
        "--metrics-port", str(metrics_port), "--jobs", "tests.fixtures.test_jobs",
        "--task-queue", f"tq-metrics-{uuid.uuid4()}", cwd=REPO,
        env={**os.environ, "TEMPORAL_ADDRESS": temporal_address},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        url, log = await _ready(process)
        unknown = f"no-such-job-{uuid.uuid4()}"
        async with httpx.AsyncClient(base_url=url, timeout=30.0) as http:
            done = await http.post("/v1/jobs", json={"jobType": "test-record", "settings": {},
                                                     "itemIndex": 0})
            refused = await http.post("/v1/jobs", json={"jobType": unknown, "settings": {},
                                                        "itemIndex": 0})
        assert (done.status_code, refused.status_code) == (200, 404), done.text
        text = await _scrape_until(
            f"http://127.0.0.1:{metrics_port}/metrics",
            r'^startjob_jobs_total\{.*job_type="test-record".*\} 1\.0$',
            r"^temporal_request_total\{",
            r"^temporal_activity_execution_latency_milliseconds_count\{",
        )
    finally:
        if process.returncode is None:
            process.terminate()
        await asyncio.wait_for(process.wait(), STARTUP_GUARD)

    # The CLI's log lines carry trace and span ids (zeros outside a span).
    assert re.search(r"INFO \[startjob\.bridge\] \[trace_id=0 span_id=0\] co-located", log), log
    jobs = [line for line in text.splitlines() if line.startswith("startjob_jobs_total{")]
    assert any('job_outcome="success"' in line and 'job_type="test-record"' in line
               for line in jobs), text
    assert any('job_outcome="UNKNOWN_JOB_TYPE"' in line
               and f'job_type="{UNKNOWN_JOB_TYPE_LABEL}"' in line for line in jobs), jobs
    assert unknown not in text  # a caller's made-up job type never becomes a series
    assert re.search(r'^startjob_job_duration_seconds_count\{.*job_type="test-record".*\} 1\.0$',
                     text, re.MULTILINE), text
    assert re.search(r"^temporal_request_total\{", text, re.MULTILINE), text
    assert re.search(r"^temporal_activity_execution_latency_milliseconds_count\{", text,
                     re.MULTILINE), text
