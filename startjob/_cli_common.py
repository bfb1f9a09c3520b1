"""What every `startjob` command shares: the Typer app, consoles, option types, loading job
modules, config, connecting, and running until a signal."""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from node_bridge import ConfigurationError, JobClient, JobClientConfig

from ._loading import job_modules_from_env, load_job_modules
from .telemetry import Telemetry, TelemetryConfig, init_telemetry

__all__ = [
    "JobsOption",
    "MetricsPortOption",
    "NoExamplesOption",
    "TaskQueueOption",
    "app",
    "client_config",
    "connect",
    "err",
    "fail",
    "load_jobs",
    "out",
    "run_until_signal",
    "start_telemetry",
]

app = typer.Typer(
    name="startjob",
    help="Launch background jobs durably on Temporal and await their Result.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

T = TypeVar("T")

JobsOption = Annotated[
    list[str] | None,
    typer.Option("--jobs", help="Module to load job types from (repeatable; env STARTJOB_JOBS)."),
]
NoExamplesOption = Annotated[
    bool, typer.Option("--no-examples", help="Do not load the built-in example job types.")
]
TaskQueueOption = Annotated[
    str | None, typer.Option("--task-queue", help="Task queue (env STARTJOB_TASK_QUEUE).")
]
MetricsPortOption = Annotated[
    int | None,
    typer.Option("--metrics-port",
                 help="Serve Prometheus metrics (startjob's and Temporal's) on 127.0.0.1:PORT."),
]

EXIT_USAGE = 2
EXIT_UNAVAILABLE = 8


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print one red line and return the Exit to raise."""
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def load_jobs(jobs: list[str] | None, no_examples: bool) -> None:
    try:
        load_job_modules([*(jobs or []), *job_modules_from_env()], examples=not no_examples)
    except ConfigurationError as exc:
        raise fail(str(exc)) from None


def start_telemetry(service_name: str, metrics_port: int | None = None) -> Telemetry:
    """Install OpenTelemetry providers from `OTEL_*` (nothing exported when unset)."""
    try:
        return init_telemetry(TelemetryConfig.from_env(service_name=service_name,
                                                       metrics_port=metrics_port))
    except ConfigurationError as exc:
        raise fail(str(exc)) from None


def client_config(task_queue: str | None) -> JobClientConfig:
    try:
        config = JobClientConfig.from_env()
    except ConfigurationError as exc:
        raise fail(str(exc)) from None
    return config.model_copy(update={"task_queue": task_queue}) if task_queue else config


async def connect(config: JobClientConfig, address: str | None = None) -> JobClient:
    """A `JobClient`, or exit 8 with a hint when Temporal is unreachable, or 2 on bad config."""
    try:
        return await JobClient.connect(address, config=config)
    except ConfigurationError as exc:
        raise fail(str(exc)) from None
    except RuntimeError as exc:
        raise fail(f"Temporal is unreachable: {exc}. Is `startjob dev` running? "
                   "(TEMPORAL_ADDRESS sets the address)", EXIT_UNAVAILABLE) from None


def run_until_signal(main_coro: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run `main_coro` and cancel it cleanly on SIGINT or SIGTERM."""

    async def runner() -> T:
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, task.cancel)
        return await main_coro()

    try:
        return asyncio.run(runner())
    except (asyncio.CancelledError, KeyboardInterrupt):
        err.print("stopped")
        raise typer.Exit(0) from None
