"""`python -m bench` (`make bench`): startjob against plain temporalio, in one run.

Starts its own in-memory dev server, runs every section, prints a table and writes
`bench/results/latest.json`. `--quick` runs a handful of iterations (the smoke test).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from ._bridge import bridge_latency
from ._env import dev_server, stack
from ._latency import sequential_latency, throughput_and_scaling
from ._memory import bridge_memory
from ._report import Plan, Row, SectionResult
from ._tracing import tracing_overhead

DEFAULT_OUT = Path(__file__).with_name("results") / "latest.json"
SECTIONS = ("1", "2", "3", "4", "5", "6")


def machine() -> dict[str, Any]:
    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"cpus": os.cpu_count(), "cpu_model": model, "platform": platform.platform(),
            "python": platform.python_version(), "temporalio": version("temporalio"),
            "load_average_start": list(os.getloadavg())}


def progress(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


async def run(plan: Plan, sections: set[str]) -> list[SectionResult]:
    results: list[SectionResult] = []
    async with dev_server() as address:
        if sections & {"1", "2", "3", "6"}:
            async with stack(address) as s:
                if "1" in sections:
                    progress("1. sequential latency")
                    results.append(await sequential_latency(s, plan))
                if "2" in sections:
                    progress("2. node → bridge → job")
                    results.append(await bridge_latency(s, plan))
                if sections & {"3", "6"}:
                    progress("3 and 6. throughput at concurrency 1, 16, 64, 256")
                    for result in await throughput_and_scaling(s, plan):
                        if result.name[0] in sections:
                            results.append(result)
        if "4" in sections:
            progress("4. tracing on vs off")
            results.append(await tracing_overhead(address, plan))
        if "5" in sections:
            progress("5. bridge memory per waiting call")
            results.append(await bridge_memory(address, plan))
    return sorted(results, key=lambda r: r.name)


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    return f"{value:,.1f}" if unit != "x" else f"{value:.2f}x"


def table(rows: list[Row], title: str) -> Table:
    out = Table(title=title, title_justify="left")
    for name, justify in (("#", "right"), ("figure", "left"), ("startjob", "right"),
                          ("baseline", "right"), ("ratio", "right"), ("target", "left"),
                          ("", "center"), ("note", "left")):
        out.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        mark = {True: "[green]met[/]", False: "[red]missed[/]", None: ""}[row.met]
        out.add_row(row.section, row.metric, f"{_number(row.ours)} {row.unit}",
                    f"{_number(row.baseline)} {row.unit}" if row.baseline is not None else "—",
                    _number(row.ratio, "x"), row.target, mark, row.note)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a few iterations per section")
    parser.add_argument("--sections", default=",".join(SECTIONS),
                        help="comma-separated sections to run (default: all)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write JSON")
    args = parser.parse_args(argv)
    sections = {s.strip() for s in args.sections.split(",") if s.strip()}
    if not sections <= set(SECTIONS):
        parser.error(f"--sections: choose from {', '.join(SECTIONS)}")
    plan = Plan.quick_plan() if args.quick else Plan()
    info = machine()
    started = time.monotonic()
    progress(f"starting a dev server ({'quick' if plan.quick else 'full'} run)")
    results = asyncio.run(run(plan, sections))
    info["load_average_end"] = list(os.getloadavg())
    rows = [row for result in results for row in result.rows]
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": info,
        "plan": {"quick": plan.quick, "sequential": plan.sequential, "block": plan.block,
                 "throughput_jobs": plan.throughput_jobs,
                 "throughput_rounds": plan.throughput_rounds,
                 "scaling": [list(pair) for pair in plan.scaling],
                 "waiting_calls": plan.waiting_calls},
        "seconds": round(time.monotonic() - started, 1),
        "rows": [row.as_dict() for row in rows],
        "sections": {result.name: result.details for result in results},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    title = (f"startjob vs plain temporalio — {report['date']}, {info['cpus']} CPUs, "
             f"load {info['load_average_start'][0]:.1f}")
    console = Console(width=max(140, Console().width))
    console.print(table(rows, title))
    console.print(f"wrote {args.out} in {report['seconds']} s")
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # skip interpreter teardown: the SDK's native threads may still be running
