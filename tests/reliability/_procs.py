"""Processes the reliability tests start and kill: a Temporal dev server with a persistent
database, the bridge (`python -m node_bridge.bridge`), a worker (`tests.fixtures.worker_process`).

Each runs in a process group of its own and is SIGKILLed with that group when its block ends,
whatever happened; `Proc.kill()` kills it earlier on purpose. Output goes to a log file under
the test's folder (named in assertion messages), never to a pipe that could fill up.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from startjob._devserver import temporal_binary
from workflows import search_attribute_flags

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90.0  # seconds; generous, other suites may load the machine
BRIDGE_READY = re.compile(rb"startjob bridge listening on (http://\S+)")
JOB_MODULES = ("tests.fixtures.test_jobs", "tests.fixtures.reliability_jobs")


@dataclass
class Proc:
    name: str
    process: asyncio.subprocess.Process
    log: Path
    url: str = ""

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self, signum: int = signal.SIGKILL) -> None:
        """Signal the whole process group (the process and anything it started)."""
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signum)

    async def wait(self, within: float = 30.0) -> int:
        """Its exit code; SIGKILLed if it takes longer than `within` seconds to exit."""
        try:
            return await asyncio.wait_for(self.process.wait(), within)
        except TimeoutError:
            self.kill()
            return await self.process.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def subprocess_env(**extra: str) -> dict[str, str]:
    """This process's environment (the tests' cleaned one) with `extra` added."""
    env = dict(os.environ)
    env.update(extra)
    env["PYTHONUNBUFFERED"] = "1"
    return env


@contextlib.asynccontextmanager
async def spawned(name: str, args: list[str], log: Path, *,
                  env: Mapping[str, str] | None = None,
                  ready: re.Pattern[bytes] | None = None) -> AsyncIterator[Proc]:
    """Start `args` in a new session; when `ready` is given, wait for that line on stdout."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as err:
        process = await asyncio.create_subprocess_exec(
            *args, cwd=REPO_ROOT, env=dict(env) if env is not None else None,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE if ready else err, stderr=err,
            start_new_session=True,
        )
    proc = Proc(name, process, log)
    drain: asyncio.Task[None] | None = None
    try:
        if ready is not None:
            assert process.stdout is not None
            proc.url = await _await_line(proc, process.stdout, ready)
            drain = asyncio.create_task(_drain(process.stdout))
        yield proc
    finally:
        proc.kill()
        await process.wait()
        if drain is not None:
            drain.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await drain


async def _await_line(proc: Proc, stream: asyncio.StreamReader,
                      ready: re.Pattern[bytes]) -> str:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"{proc.name} did not get ready in {START_TIMEOUT:g}s; "
                                 f"see {proc.log}")
        try:
            line = await asyncio.wait_for(stream.readline(), remaining)
        except TimeoutError:
            continue
        if not line:
            code = await proc.process.wait()
            raise AssertionError(f"{proc.name} exited with {code} before it was ready; "
                                 f"see {proc.log}:\n{_tail(proc.log)}")
        match = ready.search(line)
        if match:
            return match.group(1).decode() if match.groups() else ""


async def _drain(stream: asyncio.StreamReader) -> None:
    while await stream.read(65536):
        pass


def _tail(log: Path, lines: int = 20) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def bridge(address: str, log: Path, *, port: int = 0, task_queue: str,
           worker: bool = True, **env: str) -> contextlib.AbstractAsyncContextManager[Proc]:
    """The bridge as a subprocess; `Proc.url` is its base URL."""
    args = [sys.executable, "-m", "node_bridge.bridge", "--port", str(port),
            "--task-queue", task_queue]
    for module in JOB_MODULES:
        args += ["--jobs", module]
    if not worker:
        args.append("--no-worker")
    return spawned("bridge", args, log, env=subprocess_env(TEMPORAL_ADDRESS=address, **env),
                   ready=BRIDGE_READY)


def worker(address: str, log: Path, *, task_queue: str,
           sticky_timeout: float = 1.0) -> contextlib.AbstractAsyncContextManager[Proc]:
    """`tests.fixtures.worker_process`: every registered job type, on `task_queue`."""
    args = [sys.executable, "-m", "tests.fixtures.worker_process", "--address", address,
            "--task-queue", task_queue, "--sticky-timeout", str(sticky_timeout)]
    return spawned("worker", args, log, env=subprocess_env(), ready=re.compile(rb"^ready"))


@contextlib.asynccontextmanager
async def dev_server(db: Path, port: int, log: Path) -> AsyncIterator[Proc]:
    """`temporal server start-dev --db-filename db --port port`, headless, until reachable."""
    args = [temporal_binary(), "server", "start-dev", "--ip", "127.0.0.1",
            "--port", str(port), "--headless", "--log-level", "error",
            "--db-filename", str(db), *search_attribute_flags()]
    async with spawned("temporal dev server", args, log) as proc:
        deadline = time.monotonic() + START_TIMEOUT
        while not await reachable(f"127.0.0.1:{port}"):
            if proc.process.returncode is not None:
                raise AssertionError(f"the dev server exited with {proc.process.returncode}; "
                                     f"see {log}:\n{_tail(log)}")
            if time.monotonic() > deadline:
                raise AssertionError(f"the dev server did not answer in {START_TIMEOUT:g}s")
            await asyncio.sleep(0.2)
        yield proc


async def reachable(address: str) -> bool:
    from datetime import timedelta

    from temporalio.client import Client

    try:
        client = await asyncio.wait_for(Client.connect(address), 3.0)
        await client.service_client.check_health(timeout=timedelta(seconds=3))
    except Exception:
        return False
    return True


def rss_kib(pid: int) -> int | None:
    """VmRSS of `pid` in KiB, from /proc (None once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def runs_by_item(folder: Path, what: str = "run") -> Counter[int]:
    """How many `runs.log` lines of kind `what` ("run" or "done") each item index has."""
    counts: Counter[int] = Counter()
    log = folder / "runs.log"
    if not log.exists():
        return counts
    for line in log.read_text(encoding="utf-8").splitlines():
        parts = line.split(" ")
        if parts and parts[-1] == what:
            item = next((p for p in parts if p.startswith("item=")), None)
            if item is not None:
                counts[int(item.removeprefix("item="))] += 1
    return counts
