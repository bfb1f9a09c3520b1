"""`python -m node_bridge.n8n_runner [--jobs MODULE ...] [--with-worker]`: serve n8n.

Loads the example job types plus the given modules (and `STARTJOB_JOBS`), connects to Temporal
(`TEMPORAL_ADDRESS`, profiles), reads `N8nRunnerConfig.from_env()` and runs until SIGINT or
SIGTERM, which stop it gracefully. A configuration error is one line and exit code 2.
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
from .._config import ConfigurationError
from ._config import N8nRunnerConfig
from ._run import run_n8n_runner

EXAMPLES_MODULE = "activities.examples"
ENV_JOBS = "STARTJOB_JOBS"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m node_bridge.n8n_runner",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", action="append", default=[], metavar="MODULE",
                        help="a module whose @job functions to offer (repeatable)")
    parser.add_argument("--with-worker", action="store_true",
                        help="also run a worker for the job types in this process")
    args = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get("STARTJOB_LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        _load(args.jobs)
        config = N8nRunnerConfig.from_env()
        return asyncio.run(_serve(config, with_worker=args.with_worker))
    except ConfigurationError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


async def _serve(config: N8nRunnerConfig, *, with_worker: bool) -> int:
    client = await JobClient.connect()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await run_n8n_runner(config, client=client, stop=stop, with_worker=with_worker)
    return 0


def _load(modules: Sequence[str]) -> None:
    """Import the examples and each module (importing registers their `@job` functions)."""
    extra = [m.strip() for m in os.environ.get(ENV_JOBS, "").split(",") if m.strip()]
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    for name in [EXAMPLES_MODULE, *modules, *extra]:
        try:
            importlib.import_module(name)
        except Exception as err:
            raise ConfigurationError(f"could not load job types from {name!r} (--jobs / "
                                     f"{ENV_JOBS}): {type(err).__name__}: {err}") from err


if __name__ == "__main__":
    sys.exit(main())
