"""The bridge's codec server (`/codec/encode`, `/codec/decode`): decodes for a caller with the
token, refuses others, lets the Temporal UI's origin call it from a browser, and decodes what
the bridge's jobs really stored in Temporal. Nothing secret reaches the logs."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import subprocess
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from google.protobuf.json_format import MessageToDict
from pydantic import SecretStr
from temporalio.testing import WorkflowEnvironment

from node_bridge import ErrorCode, job_workflow_id
from tests.conftest import temporal_binary
from tests.fixtures.bridge_server import HTTP_TIMEOUT, bridge_config, new_job_client, running_bridge
from workflows import generate_key

TOKEN = "codec-token-" + uuid.uuid4().hex
KEY = generate_key()
SECRET = "s3cret-" + uuid.uuid4().hex
UI_ORIGIN = "http://localhost:8233"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


PLAIN = {"payloads": [{"metadata": {"encoding": _b64(b"json/plain")},
                       "data": _b64(b'{"password": "x"}')}]}


@pytest.fixture(scope="module")
async def codec_url(workflow_env: WorkflowEnvironment) -> AsyncIterator[str]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("STARTJOB_ENCRYPTION_KEYS", f"k1:{KEY}")
        client = new_job_client(workflow_env)  # the codec is read here, once
    async with running_bridge(client, bridge_config(token=SecretStr(TOKEN))) as url:
        yield url


@pytest.fixture
async def caller(codec_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=codec_url, timeout=HTTP_TIMEOUT) as http:
        yield http


async def test_encode_then_decode_for_an_authorized_caller(caller: httpx.AsyncClient) -> None:
    encoded = await caller.post("/codec/encode", json=PLAIN, headers=AUTH)
    assert encoded.status_code == 200, encoded.text
    [sealed] = encoded.json()["payloads"]
    assert base64.b64decode(sealed["metadata"]["encoding"]) == b"binary/encrypted"
    assert base64.b64decode(sealed["metadata"]["encryption-key-id"]) == b"k1"
    decoded = await caller.post("/codec/decode", json=encoded.json(), headers=AUTH)
    assert decoded.status_code == 200
    assert decoded.json() == PLAIN


async def test_decodes_what_a_job_stored_in_temporal(
    caller: httpx.AsyncClient, workflow_env: WorkflowEnvironment,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    key = uuid.uuid4().hex
    started = await caller.post("/v1/jobs", headers=AUTH, json={
        "jobType": "echo", "settings": {"password": SECRET}, "itemIndex": 0,
        "idempotencyKey": key})
    assert started.json() == {"success": True, "data": {"password": SECRET}}
    history = await workflow_env.client.get_workflow_handle(
        job_workflow_id("echo", key)).fetch_history()
    stored = history.events[0].workflow_execution_started_event_attributes.input
    assert SECRET.encode() not in stored.SerializeToString()  # ciphertext in Temporal

    body = MessageToDict(stored)  # Temporal's codec-server JSON, as the UI sends it
    decoded = await caller.post("/codec/decode", json=body, headers=AUTH)
    assert decoded.status_code == 200, decoded.text
    [payload] = decoded.json()["payloads"]
    assert SECRET in base64.b64decode(payload["data"]).decode()
    logged = caplog.text
    assert TOKEN not in logged and SECRET not in logged and KEY not in logged


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}])
async def test_refuses_callers_without_the_token(caller: httpx.AsyncClient,
                                                 headers: dict[str, str]) -> None:
    for path in ("/codec/decode", "/codec/encode"):
        response = await caller.post(path, json=PLAIN, headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == ErrorCode.UNAUTHORIZED
        assert TOKEN not in response.text


async def test_cors_lets_the_ui_origin_in_and_no_other(caller: httpx.AsyncClient) -> None:
    preflight = {"Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization,content-type,x-namespace"}
    allowed = await caller.options("/codec/decode", headers={"Origin": UI_ORIGIN, **preflight})
    assert allowed.status_code == 200  # answered before the token check: preflights carry none
    assert allowed.headers["access-control-allow-origin"] == UI_ORIGIN
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()

    other = await caller.options("/codec/decode",
                                 headers={"Origin": "https://evil.example", **preflight})
    assert "access-control-allow-origin" not in other.headers
    jobs = await caller.options("/v1/jobs", headers={"Origin": UI_ORIGIN, **preflight})
    assert "access-control-allow-origin" not in jobs.headers  # only the codec is exposed

    real = await caller.post("/codec/decode", json=PLAIN,
                             headers={"Origin": UI_ORIGIN, **AUTH})
    assert real.status_code == 200
    assert real.headers["access-control-allow-origin"] == UI_ORIGIN


async def test_bad_payloads_are_400(caller: httpx.AsyncClient) -> None:
    bad = {"payloads": [{"metadata": {"encoding": "%%%"}, "data": ""}]}
    response = await caller.post("/codec/decode", json=bad, headers=AUTH)
    assert response.status_code == 400
    assert "payloads[0]" in response.json()["error"]["message"]
    foreign = {"payloads": [{"metadata": {"encoding": _b64(b"binary/encrypted"),
                                          "encryption-key-id": _b64(b"gone")},
                             "data": _b64(b"x" * 40)}]}
    response = await caller.post("/codec/decode", json=foreign, headers=AUTH)
    assert response.status_code == 400
    assert "'gone'" in response.json()["error"]["message"]


async def test_without_encryption_the_codec_says_so(http: httpx.AsyncClient) -> None:
    response = await http.post("/codec/decode", json=PLAIN)
    assert response.status_code == 404
    assert "STARTJOB_ENCRYPTION_KEYS" in response.json()["error"]["message"]


async def test_the_temporal_cli_decodes_through_the_endpoint(
    caller: httpx.AsyncClient, codec_url: str, temporal_address: str,
) -> None:
    """Temporal's own tooling speaks this codec-server format: `temporal workflow show` with
    `--codec-endpoint` prints the plaintext that Temporal only holds encrypted."""
    key = uuid.uuid4().hex
    started = await caller.post("/v1/jobs", headers=AUTH, json={
        "jobType": "echo", "settings": {"password": SECRET}, "itemIndex": 0,
        "idempotencyKey": key})
    assert started.status_code == 200
    command = [temporal_binary(), "workflow", "show", "--address", temporal_address,
               "-w", job_workflow_id("echo", key), "--output", "json"]
    plain = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True,
                                    check=True, timeout=30)
    decoded = await asyncio.to_thread(
        subprocess.run, [*command, "--codec-endpoint", f"{codec_url}/codec",
                         "--codec-auth", f"Bearer {TOKEN}"],
        capture_output=True, text=True, check=True, timeout=30)
    assert SECRET not in _started_input(plain.stdout)
    assert SECRET in _started_input(decoded.stdout)


def _started_input(history_json: str) -> str:
    """The workflow input as `temporal workflow show --output json` prints it (base64)."""
    events = json.loads(history_json)["events"]
    [payload] = events[0]["workflowExecutionStartedEventAttributes"]["input"]["payloads"]
    return base64.b64decode(payload["data"]).decode("utf-8", "replace")
