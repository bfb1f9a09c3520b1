"""The Temporal dev server stopped and restarted (same persistent database, same port) while
jobs run and callers wait: every job completes once it is back.

- Callers whose wait outlasts the outage get their Result directly: `JobClient` keeps waiting
  while Temporal is unreachable, within the caller's wait (before that fix they got
  UNAVAILABLE after the SDK's own RPC retries, about ten seconds).
- Callers whose wait runs out during the outage get TIMEOUT or UNAVAILABLE, retryable and with
  the job's workflowId; re-attaching with `JobClient.wait_for_job` answers Success.
"""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from pathlib import Path

from node_bridge import ErrorCode, Failure, JobClient, JobClientConfig, Success
from tests.fixtures.helpers import eventually
from tests.reliability import _procs

JOBS = 10
OUTAGE = 5.0  # seconds the server stays down
SHORT_WAIT = 2.0  # seconds: runs out while the server is down


def _codes(results: list[Success | Failure]) -> dict[str, int]:
    return dict(Counter("Success" if r.success else r.error.code.value for r in results))


async def test_jobs_and_callers_survive_a_dev_server_restart(tmp_path: Path) -> None:
    port = _procs.free_port()
    address = f"127.0.0.1:{port}"
    db = tmp_path / "t.db"
    server_log = tmp_path / "temporal.log"
    queue = "reliability-restart"
    async with _procs.dev_server(db, port, server_log) as first_server:
        client = await JobClient.connect(address, config=JobClientConfig(task_queue=queue))
        async with _procs.worker(address, tmp_path / "worker.log", task_queue=queue):
            settings = {"dir": str(tmp_path), "tag": "restart", "seconds": 8}
            patient = [asyncio.create_task(client.start_job(
                "test-slow", settings, i, idempotency_key=f"restart-{i}", wait_timeout=180))
                for i in range(JOBS)]

            async def all_running() -> bool:
                return len(_procs.runs_by_item(tmp_path)) == JOBS

            await eventually(all_running, f"all {JOBS} jobs running", within=120)
            # The same jobs (same keys: they attach), awaited by callers in a hurry.
            hurried = [asyncio.create_task(client.start_job(
                "test-slow", settings, i, idempotency_key=f"restart-{i}",
                wait_timeout=SHORT_WAIT)) for i in range(JOBS)]
            first_server.kill(signal.SIGTERM)
            await first_server.wait(30)
            hurried_first = await asyncio.wait_for(asyncio.gather(*hurried), 120)
            await asyncio.sleep(OUTAGE)  # the rest of the outage: nothing to poll for
            async with _procs.dev_server(db, port, server_log):
                patient_results = await asyncio.wait_for(asyncio.gather(*patient), 240)
                reattached: list[Success | Failure] = []
                for r in hurried_first:
                    if isinstance(r, Failure):
                        assert r.error.code in (ErrorCode.UNAVAILABLE, ErrorCode.TIMEOUT), r
                        assert r.error.retryable and r.error.workflow_id, r
                        r = await client.wait_for_job(r.error.workflow_id, wait_timeout=120)
                    reattached.append(r)

    runs = _procs.runs_by_item(tmp_path)
    print(f"\ndev server down ~{OUTAGE:g}s with {JOBS} jobs running: patient callers "
          f"{_codes(patient_results)}, hurried callers {_codes(hurried_first)} then "
          f"{_codes(reattached)} after re-attaching; {sum(runs.values())} attempts, "
          f"max {max(runs.values())} per job")
    assert all(r.success for r in patient_results), patient_results
    assert all(r.success for r in reattached), reattached
    assert [r.data for r in reattached] == [r.data for r in patient_results]
    assert sorted(runs) == list(range(JOBS))
