"""`startjob dev` as a newcomer runs it (`make run`), and `startjob run echo` from another
shell: real processes, real ports, a clean stop on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path

import httpx

STARTJOB = str(Path(sys.executable).with_name("startjob"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _wait_healthy(url: str, process: asyncio.subprocess.Process) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(300):
            assert process.returncode is None, "startjob dev exited early"
            try:
                if (await http.get(url)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"{url} never answered")


async def test_dev_stack_serves_run_and_bridge_then_stops_cleanly(tmp_path: Path) -> None:
    temporal, ui, bridge = _free_port(), _free_port(), _free_port()
    env = {**os.environ, "STARTJOB_ARTIFACTS_DIR": str(tmp_path / "artifacts")}
    dev = await asyncio.create_subprocess_exec(
        STARTJOB, "dev", "--port", str(temporal), "--ui-port", str(ui),
        "--bridge-port", str(bridge), "--db-filename", str(tmp_path / "temporal.db"),
        cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    try:
        await _wait_healthy(f"http://127.0.0.1:{bridge}/readyz", dev)
        run = await asyncio.create_subprocess_exec(
            STARTJOB, "run", "echo", "--settings", '{"a": 1}', cwd=tmp_path,
            env={**env, "TEMPORAL_ADDRESS": f"127.0.0.1:{temporal}"},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, errors = await asyncio.wait_for(run.communicate(), 60)
        assert run.returncode == 0, errors.decode()
        assert json.loads(out) == {"success": True, "data": {"a": 1}}

        async with httpx.AsyncClient() as http:
            answer = await http.post(f"http://127.0.0.1:{bridge}/v1/jobs", json={
                "jobType": "report-generator", "settings": {"userId": 3, "action": "weekly"},
                "itemIndex": 0})
        assert answer.status_code == 200 and answer.json()["success"] is True
        report = Path(answer.json()["data"]["path"])
        text = await asyncio.to_thread(report.read_text, encoding="utf-8")
        assert text.startswith("<!doctype html>")
        assert await asyncio.to_thread((tmp_path / "temporal.db").exists)  # persistent state
    finally:
        if dev.returncode is None:
            dev.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(dev.communicate(), 30)
    assert dev.returncode == 0, output.decode()[-2000:]
    with socket.socket() as probe:  # the dev server went down with it
        assert probe.connect_ex(("127.0.0.1", temporal)) != 0
