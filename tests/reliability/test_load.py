"""Load through the bridge: jobs at concurrency through one bridge subprocess with its
co-located worker; 0 lost, 0 duplicated (each test-record execution logs a line), every answer
a Success, and the bridge's memory (VmRSS) reported before, at its peak and after.

CI size: the issue's 2,000 jobs at concurrency 100, about 75 s on a quiet 2-core machine
(STARTJOB_RELIABILITY_LOAD_JOBS / _CONCURRENCY change it). 20,000 at 200 is `make soak`
(tests/reliability/soak.py); figures in docs/reliability.md."""

from __future__ import annotations

import os
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from tests.reliability import _procs
from tests.reliability._load import run_load

JOBS = int(os.environ.get("STARTJOB_RELIABILITY_LOAD_JOBS", "2000"))
CONCURRENCY = int(os.environ.get("STARTJOB_RELIABILITY_LOAD_CONCURRENCY", "100"))


async def test_load_through_the_bridge_loses_and_duplicates_nothing(
    workflow_env: WorkflowEnvironment, temporal_address: str, task_queue: str, tmp_path: Path
) -> None:
    async with _procs.bridge(temporal_address, tmp_path / "bridge.log",
                             task_queue=task_queue) as bridge:
        report = await run_load(bridge.url, bridge.pid, tmp_path, jobs=JOBS,
                                concurrency=CONCURRENCY, tag=task_queue)
    print("\n" + report.summary())
    assert report.failures == {}
    assert report.successes == JOBS
    assert report.lost == 0 and report.duplicated == 0
    assert report.executions == JOBS
    # Bounded, generously: a leak shows in the soak's 20,000 jobs, not in 2,000.
    assert report.rss_kib_peak < 1024 * 1024, report.summary()  # under 1 GiB
