"""The soak: many jobs through one bridge subprocess, not run in CI.

    python -m tests.reliability.soak --jobs 20000 --concurrency 200 --out soak.json

Starts its own in-memory Temporal dev server (or uses `--temporal-address`), a bridge subprocess
with its co-located worker serving `test-record`, runs the load of tests/reliability/_load.py,
prints the figures and writes them as JSON to `--out`. Exit code 1 when any job was lost,
duplicated or answered other than Success.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from startjob._devserver import DevServer
from tests.reliability import _procs
from tests.reliability._load import LoadReport, run_load


async def soak(jobs: int, concurrency: int, address: str | None, folder: Path) -> LoadReport:
    queue = f"soak-{uuid.uuid4()}"
    server: DevServer | None = None
    if address is None:
        server = DevServer(port=_procs.free_port(), ui_port=None, db_filename=None,
                           log_level="error")
        await server.start()
        address = server.address
    try:
        async with _procs.bridge(address, folder / "bridge.log", task_queue=queue) as bridge:
            print(f"bridge {bridge.url} (pid {bridge.pid}) on {address}; {jobs} jobs at "
                  f"concurrency {concurrency}...", flush=True)
            return await run_load(bridge.url, bridge.pid, folder, jobs=jobs,
                                  concurrency=concurrency, tag=queue)
    finally:
        if server is not None:
            await server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.reliability.soak",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--out", type=Path, default=Path("soak.json"),
                        help="where the figures go, as JSON (default soak.json)")
    parser.add_argument("--temporal-address", default=None,
                        help="use this Temporal server instead of starting a dev server")
    parser.add_argument("--keep", action="store_true", help="keep the runs.log and bridge log")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="startjob-soak-"))
    started = time.time()
    report = asyncio.run(soak(args.jobs, args.concurrency, args.temporal_address, folder))
    print(report.summary())
    figures: dict[str, Any] = {
        **report.as_dict(),
        "startedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "cpus": os.cpu_count(), "loadAverageAfter": os.getloadavg(),
        "python": platform.python_version(), "platform": platform.platform(),
        "logs": str(folder) if args.keep else None,
    }
    args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"figures written to {args.out}")
    if not args.keep:
        for name in ("runs.log", "bridge.log"):
            (folder / name).unlink(missing_ok=True)
        folder.rmdir()
    ok = (report.successes == args.jobs and not report.failures and report.lost == 0
          and report.duplicated == 0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
