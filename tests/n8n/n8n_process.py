"""Running a real n8n (the pinned 2.8.4 from `STARTJOB_N8N_BIN`) for the n8n tests: the CLI
for import/publish, and `n8n start` on loopback with its task broker on a fixed port."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

__all__ = ["N8n", "NODE_PACKAGE", "TOKEN", "install_node_package", "n8n_binary"]

TOKEN = "startjob-n8n-test-token"
REPO = Path(__file__).resolve().parents[2]
NODE_PACKAGE = "n8n-nodes-startjob"
NODE_PACKAGE_DIR = REPO / "node_bridge" / "n8n"
EXTENSIONS = [Path(__file__).resolve().parent / "nodes"]  # the tests' own custom node


def install_node_package(n8n_folder: Path) -> Path:
    """Install the "Start Job" node as n8n installs a community package: `npm pack`, unpacked
    into `<n8n folder>/nodes/node_modules/<name>` without its peer dependencies. What the tests
    run is then the packed artifact a user installs (its `files`, its `n8n` manifest), loaded
    by n8n's package loader as `n8n-nodes-startjob.startJob`."""
    target = n8n_folder / "nodes" / "node_modules" / NODE_PACKAGE
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="startjob-pack-") as scratch:
        packed = subprocess.run(
            ["npm", "pack", str(NODE_PACKAGE_DIR), "--pack-destination", scratch, "--json"],
            capture_output=True, text=True, check=True)
        [entry] = json.loads(packed.stdout)
        with tarfile.open(Path(scratch) / entry["filename"]) as archive:
            for member in archive.getmembers():
                member.name = member.name.removeprefix("package/")
            archive.extractall(target, filter="data")
    manifest = json.loads((target / "package.json").read_text(encoding="utf-8"))
    for key in ("devDependencies", "peerDependencies", "optionalDependencies"):
        manifest.pop(key, None)
    (target / "package.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return target


def n8n_binary() -> str | None:
    return os.environ.get("STARTJOB_N8N_BIN") or None


@dataclass
class N8n:
    """One n8n user folder; `start()` / `stop()` may be called repeatedly (same ports)."""

    binary: str
    home: Path
    port: int
    broker_port: int
    mode: str = "internal"
    task_timeout: int = 5
    request_timeout: int = 10
    process: asyncio.subprocess.Process | None = None
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.home / "n8n.log"
        install_node_package(self.home / ".n8n")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def broker_uri(self) -> str:
        return f"http://127.0.0.1:{self.broker_port}"

    def env(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items()
                if not k.startswith(("N8N_", "STARTJOB_", "TEMPORAL_"))}
        return keep | {
            "N8N_USER_FOLDER": str(self.home),
            "N8N_PORT": str(self.port),
            "N8N_LISTEN_ADDRESS": "127.0.0.1",
            "N8N_HOST": "127.0.0.1",
            "N8N_RUNNERS_MODE": self.mode,
            "N8N_RUNNERS_AUTH_TOKEN": TOKEN,
            "N8N_RUNNERS_BROKER_PORT": str(self.broker_port),
            "N8N_RUNNERS_BROKER_LISTEN_ADDRESS": "127.0.0.1",
            "N8N_RUNNERS_TASK_TIMEOUT": str(self.task_timeout),
            "N8N_RUNNERS_TASK_REQUEST_TIMEOUT": str(self.request_timeout),
            "N8N_CUSTOM_EXTENSIONS": str(self.extensions_dir()),
            "N8N_DIAGNOSTICS_ENABLED": "false",
            "N8N_VERSION_NOTIFICATIONS_ENABLED": "false",
            "N8N_TEMPLATES_ENABLED": "false",
            "N8N_PERSONALIZATION_ENABLED": "false",
            "N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS": "false",
            "N8N_SECURE_COOKIE": "false",
            "N8N_GRACEFUL_SHUTDOWN_TIMEOUT": "10",
            "N8N_LOG_LEVEL": "info",
            "N8N_PUSH_BACKEND": "sse",
            "DB_SQLITE_POOL_SIZE": "2",
            "EXECUTIONS_DATA_SAVE_ON_SUCCESS": "none",
            "N8N_PROXY_HOPS": "0",
        }

    def extensions_dir(self) -> Path:
        """One folder linking the custom node folders: n8n 2.8.4 keys every custom folder's
        loader by the same name (`CUSTOM`), so of several `;`-separated folders only the last
        one counts."""
        folder = self.home / "custom-nodes"
        folder.mkdir(exist_ok=True)
        for index, source in enumerate(EXTENSIONS):
            link = folder / f"{index}-{source.name}"
            if not link.exists():
                link.symlink_to(source, target_is_directory=True)
        return folder

    async def cli(self, *args: str, timeout: float = 180) -> str:  # noqa: ASYNC109
        """Run `n8n <args>` to completion; its output, or an error that shows it."""
        process = await asyncio.create_subprocess_exec(
            self.binary, *args, env=self.env(), cwd=self.home,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        out, _ = await asyncio.wait_for(process.communicate(), timeout)
        text = out.decode(errors="replace")
        if process.returncode != 0 or "GOT ERROR" in text:
            raise AssertionError(f"n8n {' '.join(args)} failed ({process.returncode}):\n{text}")
        return text

    async def import_workflows(self, workflows: list[dict[str, Any]]) -> None:
        """Import and publish (activate) the workflows; do it before `start()`."""
        path = self.home / "workflows.json"
        path.write_text(json.dumps(workflows), encoding="utf-8")
        await self.cli("import:workflow", f"--input={path}")
        for workflow in workflows:
            await self.cli("publish:workflow", f"--id={workflow['id']}")

    async def start(self, *, within: float = 180) -> None:
        """Start `n8n start` and wait until its workflows are active (webhooks served)."""
        seen = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                self.binary, "start", env=self.env(), cwd=self.home,
                stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(timeout=2) as http:
            while True:
                if self.process.returncode is not None:
                    raise AssertionError(f"n8n exited ({self.process.returncode}):\n"
                                         + self.tail())
                try:
                    ready = (await http.get(f"{self.url}/healthz/readiness")).status_code == 200
                except httpx.HTTPError:
                    ready = False
                # Webhooks are registered only once the published workflows are activated,
                # after readiness; n8n logs this line then.
                if ready and b"Editor is now accessible" in self.log.read_bytes()[seen:]:
                    return
                if time.monotonic() > deadline:
                    raise AssertionError(f"n8n not ready after {within:g}s:\n" + self.tail())
                await asyncio.sleep(0.5)

    async def stop(self) -> None:
        """SIGTERM (n8n drains its broker), then SIGKILL if it lingers."""
        if self.process is None or self.process.returncode is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), 30)
        except TimeoutError:
            os.killpg(self.process.pid, signal.SIGKILL)
            await self.process.wait()

    def tail(self, lines: int = 60) -> str:
        if not self.log.exists():
            return "(no log)"
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
