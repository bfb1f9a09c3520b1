"""`python -m node_bridge.bridge`: serve the bridge from a shell or a test harness.

    TEMPORAL_ADDRESS=127.0.0.1:7233 python -m node_bridge.bridge --port 8787 \\
        --jobs tests.fixtures.test_jobs

Loads the built-in example job types plus each `--jobs` module (and `STARTJOB_JOBS`, comma
separated), connects with `TEMPORAL_*` settings, and prints exactly one line to stdout once it
accepts connections: `startjob bridge listening on http://HOST:PORT`. Logs go to stderr.
Exit codes: 0 after SIGINT/SIGTERM, 1 when Temporal is unreachable or startup fails, 2 for
invalid options or settings.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import signal
import sys
from collections.abc import Sequence

from .._client import JobClient
from .._config import ConfigurationError, JobClientConfig
from ._config import BridgeConfig
from ._serve import serve_bridge

READY_LINE = "startjob bridge listening on {url}"
EXAMPLES_MODULE = "activities.examples"
ENV_JOBS = "STARTJOB_JOBS"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        _load_jobs([*_env_jobs(), *(args.jobs or [])])
        config = _config(args)
        client_config = JobClientConfig.from_env()
        if args.task_queue:
            client_config = client_config.model_copy(update={"task_queue": args.task_queue})
    except ConfigurationError as err:
        print(f"startjob bridge: {err}", file=sys.stderr)
        return 2
    try:
        asyncio.run(_serve(config, client_config))
    except ConfigurationError as err:
        print(f"startjob bridge: {err}", file=sys.stderr)
        return 2
    except RuntimeError as err:
        print(f"startjob bridge: {err}", file=sys.stderr)
        return 1
    return 0


async def _serve(config: BridgeConfig, client_config: JobClientConfig) -> None:
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, task.cancel)
    try:
        client = await JobClient.connect(config=client_config)
    except RuntimeError as err:
        raise RuntimeError(f"cannot reach Temporal (TEMPORAL_ADDRESS): {err}") from None
    try:
        await serve_bridge(config, client=client, on_ready=_announce)
    except asyncio.CancelledError:
        return


def _announce(url: str) -> None:
    print(READY_LINE.format(url=url), flush=True)


def _config(args: argparse.Namespace) -> BridgeConfig:
    config = BridgeConfig.from_env()
    updates: dict[str, object] = {}
    if args.host:
        updates["host"] = args.host
    if args.port is not None:
        if not 0 <= args.port <= 65535:
            raise ConfigurationError(f"--port {args.port} must be from 0 to 65535")
        updates["port"] = args.port
    if args.no_worker:
        updates["with_worker"] = False
    if args.insecure:
        updates["insecure"] = True
    config = config.model_copy(update=updates)
    config.ensure_safe_to_listen()
    return config


def _env_jobs() -> list[str]:
    return [name.strip() for name in os.environ.get(ENV_JOBS, "").split(",") if name.strip()]


def _load_jobs(modules: Sequence[str]) -> None:
    # `python -m` puts the working directory on sys.path, so project modules import as usual.
    for name in (EXAMPLES_MODULE, *modules):
        try:
            importlib.import_module(name)
        except Exception as err:
            raise ConfigurationError(f"could not load job types from module {name!r} (--jobs): "
                                     f"{type(err).__name__}: {err}") from err


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m node_bridge.bridge",
                                     description="Serve the startjob HTTP bridge.")
    parser.add_argument("--port", type=int, default=None,
                        help="listen port (default STARTJOB_BRIDGE_PORT or 8787; 0 = any free)")
    parser.add_argument("--host", default=None,
                        help="listen address (default STARTJOB_BRIDGE_HOST or 127.0.0.1)")
    parser.add_argument("--jobs", action="append", metavar="MODULE",
                        help="import job types from MODULE (repeatable)")
    parser.add_argument("--task-queue", default=None,
                        help="task queue (default STARTJOB_TASK_QUEUE or startjob)")
    parser.add_argument("--no-worker", action="store_true",
                        help="do not run a co-located worker")
    parser.add_argument("--insecure", action="store_true",
                        help="allow a non-loopback host without STARTJOB_BRIDGE_TOKEN")
    return parser


if __name__ == "__main__":
    sys.exit(main())
