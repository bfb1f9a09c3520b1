"""A benchmark process of its own: a `JobClient` and a `JobWorker` (tracing on or off), running
sequential `echo` jobs on request. OpenTelemetry providers are installed once per process, so
tracing on and off are two such processes, driven in turns by section 4.

    python -m bench._child --address HOST:PORT --task-queue Q --tracing on

Prints `ready`, then answers each stdin line `N` with one JSON line {"latencies": [...],
"spans": count} after running N jobs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from typing import Any

import activities.examples  # noqa: F401  registers `echo`
from node_bridge import JobClient, JobClientConfig
from workflows import JobWorker

from ._env import SETTINGS
from ._stats import timed


async def serve(address: str, task_queue: str, tracing: bool) -> None:
    exporter: Any = None
    if tracing:
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        from startjob.telemetry import TelemetryConfig, init_telemetry

        # Spans leave through a batch processor, as with OTLP in production (init_telemetry's
        # extra exporters are synchronous: that is for tests that read spans at once).
        exporter = InMemorySpanExporter()
        telemetry = init_telemetry(TelemetryConfig(service_name="startjob-bench"))
        telemetry.tracer_provider.add_span_processor(BatchSpanProcessor(exporter))
        logging.getLogger().setLevel(logging.WARNING)
    client = await JobClient.connect(address, config=JobClientConfig(task_queue=task_queue),
                                     tracing=tracing)
    loop = asyncio.get_running_loop()
    async with JobWorker(client, task_queue=task_queue):
        print("ready", flush=True)
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            if not line.strip():
                continue
            latencies = [await timed(lambda: client.start_job("echo", SETTINGS, 0))
                         for _ in range(int(line))]
            spans = len(exporter.get_finished_spans()) if exporter is not None else 0
            if exporter is not None:
                exporter.clear()
            print(json.dumps({"latencies": latencies, "spans": spans}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench._child")
    parser.add_argument("--address", required=True)
    parser.add_argument("--task-queue", required=True)
    parser.add_argument("--tracing", choices=("on", "off"), required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.address, args.task_queue, args.tracing == "on"))
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown: the SDK's native threads may still be running


if __name__ == "__main__":
    main()
