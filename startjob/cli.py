"""The `startjob` command: parses, loads config, calls library code, prints one Rich line or the
Result JSON, and exits with the code the error-code table (`node_bridge._codes`) gives.

    startjob dev                                   # dev server + UI, worker, bridge
    startjob run echo --settings '{"a": 1}'        # one job, with a progress bar

Commands live in `_cli_jobs` (run, job-types), `_cli_ops` (ls, retry, cancel, replay) and here
(the long-running ones: dev, worker, bridge, n8n-runner).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from node_bridge import ConfigurationError, JobClient
from workflows import ENV_ENCRYPTION_KEYS, ENV_ENCRYPTION_KEYS_FILE, JobWorker

from . import _cli_jobs, _cli_ops  # noqa: F401  (register their commands)
from ._cli_common import (
    JobsOption,
    MetricsPortOption,
    NoExamplesOption,
    TaskQueueOption,
    app,
    client_config,
    connect,
    err,
    fail,
    load_jobs,
    out,
    run_until_signal,
    start_telemetry,
)
from ._devserver import DEFAULT_DB_FILENAME, DevServer, DevServerError

__all__ = ["app", "main"]


def main() -> None:
    app()


@app.command()
def dev(
    jobs: JobsOption = None,
    no_examples: NoExamplesOption = False,
    task_queue: TaskQueueOption = None,
    port: Annotated[int, typer.Option(help="Temporal gRPC port.")] = 7233,
    ui_port: Annotated[int, typer.Option(help="Temporal Web UI port.")] = 8233,
    bridge_port: Annotated[int, typer.Option(help="HTTP bridge port.")] = 8787,
    no_bridge: Annotated[bool, typer.Option("--no-bridge", help="Worker only.")] = False,
    db_filename: Annotated[Path, typer.Option(help="Persistent Temporal state.")] = (
        DEFAULT_DB_FILENAME
    ),
    ephemeral: Annotated[bool, typer.Option(help="Keep Temporal state in memory.")] = False,
    metrics_port: MetricsPortOption = None,
) -> None:
    """Run the embedded stack: Temporal dev server + Web UI, a worker, and the HTTP bridge."""
    load_jobs(jobs, no_examples)
    config = client_config(task_queue)
    telemetry = start_telemetry("startjob-dev", metrics_port)
    # With payload encryption on, the UI decodes through the bridge's codec endpoint (on
    # loopback the bridge needs no token), so the embedded stack shows plaintext to its user.
    codec = None
    if not no_bridge and (os.environ.get(ENV_ENCRYPTION_KEYS)
                          or os.environ.get(ENV_ENCRYPTION_KEYS_FILE)):
        codec = f"http://127.0.0.1:{bridge_port}/codec"
    server = DevServer(port=port, ui_port=ui_port, ui_codec_endpoint=codec,
                       db_filename=None if ephemeral else db_filename)

    async def serve() -> None:
        try:
            await server.start()
        except DevServerError as exc:
            raise fail(str(exc)) from None
        try:
            async with telemetry.temporal_metrics():
                client = await connect(config, server.address)
                _print_stack(server, client, None if no_bridge else bridge_port)
                if no_bridge:
                    async with JobWorker(client, task_queue=config.task_queue):
                        await asyncio.Event().wait()
                else:
                    await _serve_bridge(client, "127.0.0.1", bridge_port, with_worker=True,
                                        insecure=False)
        finally:
            await server.stop()
            telemetry.shutdown()

    run_until_signal(serve)


def _print_stack(server: DevServer, client: JobClient, bridge_port: int | None) -> None:
    table = Table(title="startjob dev", show_header=False, title_justify="left")
    table.add_row("Temporal", server.address)
    table.add_row("Web UI", server.ui_url or "(off)")
    table.add_row("Bridge", f"http://127.0.0.1:{bridge_port}" if bridge_port else "(off)")
    table.add_row("Task queue", client.config.task_queue)
    table.add_row("Job types", ", ".join(client.registry.names()))
    table.add_row("State", str(server.db_filename or "in memory"))
    out.print(table)
    out.print("Try: [bold]startjob run echo --settings '{\"a\": 1}'[/]   (Ctrl-C stops)")


@app.command()
def worker(
    jobs: JobsOption = None,
    no_examples: NoExamplesOption = False,
    task_queue: TaskQueueOption = None,
    metrics_port: MetricsPortOption = None,
) -> None:
    """Run a worker for the loaded job types (connects with TEMPORAL_* settings)."""
    load_jobs(jobs, no_examples)
    config = client_config(task_queue)
    telemetry = start_telemetry("startjob-worker", metrics_port)

    async def serve() -> None:
        async with telemetry.temporal_metrics():
            client = await connect(config)
            job_worker = JobWorker(client, task_queue=config.task_queue)
            err.print(f"worker on task queue [bold]{config.task_queue}[/]: "
                      f"{', '.join(job_worker.job_types)}")
            try:
                await job_worker.run()
            finally:
                telemetry.shutdown()

    run_until_signal(serve)


@app.command()
def bridge(
    jobs: JobsOption = None,
    no_examples: NoExamplesOption = False,
    task_queue: TaskQueueOption = None,
    host: Annotated[str | None, typer.Option(help="Listen address (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port (default 8787).")] = None,
    no_worker: Annotated[bool, typer.Option("--no-worker",
                                            help="Do not run a co-located worker.")] = False,
    insecure: Annotated[bool, typer.Option(help="Allow a non-loopback host without a token.")]
    = False,
    metrics_port: MetricsPortOption = None,
) -> None:
    """Serve the HTTP bridge for Node.js callers (with a co-located worker by default)."""
    load_jobs(jobs, no_examples)
    config = client_config(task_queue)
    telemetry = start_telemetry("startjob-bridge", metrics_port)

    async def serve() -> None:
        async with telemetry.temporal_metrics():
            client = await connect(config)
            try:
                await _serve_bridge(client, host, port, with_worker=not no_worker,
                                    insecure=insecure)
            finally:
                telemetry.shutdown()

    run_until_signal(serve)


async def _serve_bridge(client: JobClient, host: str | None, port: int | None, *,
                        with_worker: bool, insecure: bool) -> None:
    from node_bridge.bridge import BridgeConfig, serve_bridge

    try:
        base = BridgeConfig.from_env()
        # Flags can only turn the worker off and insecure on; the environment is kept.
        updates: dict[str, Any] = {"with_worker": with_worker and base.with_worker,
                                   "insecure": insecure or base.insecure}
        if host is not None:
            updates["host"] = host
        if port is not None:
            updates["port"] = port
        config = base.model_copy(update=updates)
        await serve_bridge(config, client=client,
                           on_ready=lambda url: err.print(f"bridge listening on [bold]{url}[/]"))
    except ConfigurationError as exc:
        raise fail(str(exc)) from None


@app.command("n8n-runner")
def n8n_runner(
    jobs: JobsOption = None,
    no_examples: NoExamplesOption = False,
    task_queue: TaskQueueOption = None,
    with_worker: Annotated[bool, typer.Option(
        "--with-worker", help="Also run a worker for the offered job types here.")] = False,
    metrics_port: MetricsPortOption = None,
) -> None:
    """Serve n8n's task broker: each `this.startJob(...)` task runs as a startjob job.
    Reads N8N_RUNNERS_TASK_BROKER_URI, N8N_RUNNERS_AUTH_TOKEN, ... (docs/n8n.md)."""
    from node_bridge.n8n_runner import N8nRunnerConfig, run_n8n_runner

    load_jobs(jobs, no_examples)
    config = client_config(task_queue)
    try:
        runner_config = N8nRunnerConfig.from_env()
    except ConfigurationError as exc:
        raise fail(str(exc)) from None
    telemetry = start_telemetry("startjob-n8n-runner", metrics_port)

    async def serve() -> None:
        async with telemetry.temporal_metrics():
            client = await connect(config)
            err.print(f"n8n runner for {runner_config.broker_uri}")
            try:
                await run_n8n_runner(runner_config, client=client, with_worker=with_worker)
            except ConfigurationError as exc:
                raise fail(str(exc)) from None
            finally:
                telemetry.shutdown()

    run_until_signal(serve)


if __name__ == "__main__":  # pragma: no cover
    main()
