"""`python -m node_bridge.bridge`, exactly as the TypeScript tests spawn it: one ready line on
stdout, jobs served, a clean exit on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import uuid
from pathlib import Path

import httpx

from tests.fixtures.bridge_server import HTTP_TIMEOUT

REPO = Path(__file__).resolve().parents[2]
READY = re.compile(r"^startjob bridge listening on (http://127\.0\.0\.1:\d+)$")
STARTUP_GUARD = 60.0  # seconds: only so a broken bridge fails the test instead of hanging it


def _env(**extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("STARTJOB_", "TEMPORAL_"))}
    return {**keep, **extra}


async def _spawn(*args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "node_bridge.bridge", *args, cwd=REPO, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def test_the_module_serves_and_announces_itself(temporal_address: str) -> None:
    process = await _spawn("--port", "0", "--jobs", "tests.fixtures.test_jobs",
                           "--task-queue", f"tq-main-{uuid.uuid4()}",
                           env=_env(TEMPORAL_ADDRESS=temporal_address))
    assert process.stdout is not None and process.stderr is not None
    try:
        line = (await asyncio.wait_for(process.stdout.readline(), STARTUP_GUARD)).decode()
        ready = READY.match(line.strip())
        assert ready, (line, (await process.stderr.read(4000)).decode())
        async with httpx.AsyncClient(base_url=ready.group(1), timeout=HTTP_TIMEOUT) as http:
            response = await http.post("/v1/jobs", json={
                "jobType": "test-record", "settings": {"tag": "main"}, "itemIndex": 5})
            assert response.status_code == 200, response.text
            assert response.json() == {"success": True,
                                       "data": {"tag": "main", "itemIndex": 5}}
            assert (await http.get("/readyz")).status_code == 200
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), STARTUP_GUARD)
    assert code == 0
    assert await process.stdout.read() == b""  # the ready line is all stdout ever says


async def test_the_module_refuses_a_public_host_without_a_token() -> None:
    process = await _spawn("--host", "0.0.0.0", "--port", "0", env=_env())
    _, stderr = await asyncio.wait_for(process.communicate(), STARTUP_GUARD)
    assert process.returncode == 2
    assert "STARTJOB_BRIDGE_TOKEN" in stderr.decode()
    assert "--insecure" in stderr.decode()
