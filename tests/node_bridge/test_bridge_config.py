"""`BridgeConfig.from_env`, the loopback guard, and the clamping of waits."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from pydantic import SecretStr
from temporalio.testing import WorkflowEnvironment

import node_bridge.bridge as bridge
from node_bridge import ConfigurationError
from node_bridge.bridge import BridgeConfig, is_loopback_host, serve_bridge
from tests.fixtures.bridge_server import (
    HTTP_TIMEOUT,
    bridge_config,
    new_job_client,
    running_bridge,
)


def test_defaults() -> None:
    config = BridgeConfig.from_env({})
    assert (config.host, config.port, config.token) == ("127.0.0.1", 8787, None)
    assert config.max_body_bytes == 1024 * 1024
    assert (config.wait_seconds, config.max_wait_seconds) == (30.0, 300.0)
    assert (config.with_worker, config.insecure) == (True, False)


def test_values_from_the_environment(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("from-a-file\n", encoding="utf-8")
    config = BridgeConfig.from_env({
        "STARTJOB_BRIDGE_HOST": "0.0.0.0", "STARTJOB_BRIDGE_PORT": "9000",
        "STARTJOB_BRIDGE_TOKEN_FILE": str(secret), "STARTJOB_BRIDGE_MAX_BODY_BYTES": "2048",
        "STARTJOB_BRIDGE_WAIT_SECONDS": "5", "STARTJOB_BRIDGE_MAX_WAIT_SECONDS": "60",
        "STARTJOB_BRIDGE_WORKER": "false", "STARTJOB_BRIDGE_INSECURE": "yes",
    })
    assert (config.host, config.port, config.token_value) == ("0.0.0.0", 9000, "from-a-file")
    assert (config.max_body_bytes, config.wait_seconds, config.max_wait_seconds) == (
        2048, 5.0, 60.0)
    assert (config.with_worker, config.insecure) == (False, True)
    assert "from-a-file" not in repr(config)
    assert BridgeConfig.from_env({"STARTJOB_BRIDGE_TOKEN": "t"}).token_value == "t"


@pytest.mark.parametrize(("env", "named"), [
    ({"STARTJOB_BRIDGE_PORT": "http"}, "STARTJOB_BRIDGE_PORT"),
    ({"STARTJOB_BRIDGE_PORT": "70000"}, "STARTJOB_BRIDGE_PORT"),
    ({"STARTJOB_BRIDGE_MAX_BODY_BYTES": "0"}, "STARTJOB_BRIDGE_MAX_BODY_BYTES"),
    ({"STARTJOB_BRIDGE_WAIT_SECONDS": "-1"}, "STARTJOB_BRIDGE_WAIT_SECONDS"),
    ({"STARTJOB_BRIDGE_WAIT_SECONDS": "500"}, "STARTJOB_BRIDGE_MAX_WAIT_SECONDS"),
    ({"STARTJOB_BRIDGE_WORKER": "maybe"}, "STARTJOB_BRIDGE_WORKER"),
    ({"STARTJOB_BRIDGE_TOKEN": "a", "STARTJOB_BRIDGE_TOKEN_FILE": "/x"},
     "STARTJOB_BRIDGE_TOKEN_FILE"),
    ({"STARTJOB_BRIDGE_TOKEN_FILE": "/no/such/file"}, "STARTJOB_BRIDGE_TOKEN_FILE"),
])
def test_invalid_values_name_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigurationError, match=named):
        BridgeConfig.from_env(env)


def test_the_cli_can_rebuild_a_config_with_a_token() -> None:
    base = BridgeConfig(token=SecretStr("t"))
    rebuilt = BridgeConfig.model_validate({**base.model_dump(), "port": 1234})
    assert (rebuilt.token_value, rebuilt.port) == ("t", 1234)


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("[::1]", True),
    ("localhost", True), ("LOCALHOST", True), ("::ffff:127.0.0.1", True),
    ("0.0.0.0", False), ("::", False), ("10.0.0.1", False), ("example.com", False),
])
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_a_public_host_needs_a_token_or_insecure() -> None:
    with pytest.raises(ConfigurationError) as refused:
        BridgeConfig(host="0.0.0.0").ensure_safe_to_listen()
    assert "STARTJOB_BRIDGE_TOKEN" in str(refused.value)
    assert "--insecure" in str(refused.value)
    BridgeConfig(host="0.0.0.0", token=SecretStr("t")).ensure_safe_to_listen()
    BridgeConfig(host="0.0.0.0", insecure=True).ensure_safe_to_listen()
    BridgeConfig(host="localhost").ensure_safe_to_listen()


async def test_serve_bridge_refuses_a_public_host_without_a_token() -> None:
    with pytest.raises(ConfigurationError, match="--insecure"):
        await serve_bridge(BridgeConfig(host="0.0.0.0", port=0))


async def test_waits_are_clamped_to_the_maximum(workflow_env: WorkflowEnvironment) -> None:
    config = bridge_config(wait_seconds=0.2, max_wait_seconds=0.5)
    slow = {"jobType": "test-slow", "settings": {"seconds": 10}, "itemIndex": 0}
    async with (running_bridge(new_job_client(workflow_env), config) as url,
                httpx.AsyncClient(base_url=url, timeout=HTTP_TIMEOUT) as http):
        by_default = await http.post("/v1/jobs", json=slow)
        clamped = await http.post("/v1/jobs", json={**slow, "waitSeconds": 100_000})
        assert by_default.status_code == clamped.status_code == 202
        path = f"/v1/jobs/{quote(clamped.json()['jobId'], safe='')}"
        polled = await http.get(path, params={"waitSeconds": 100_000})
        assert polled.status_code == 202
        for response in (by_default, clamped):
            job = quote(response.json()["jobId"], safe="")
            assert (await http.post(f"/v1/jobs/{job}/cancel")).status_code == 202


def test_exported_members() -> None:
    public = {name for name in dir(bridge) if not name.startswith("_")}
    assert len(set(bridge.__all__)) == len(bridge.__all__)
    assert set(bridge.__all__) == public - {"annotations"}


def test_hardening_settings_from_the_environment() -> None:
    defaults = BridgeConfig.from_env({})
    assert defaults.max_concurrent_per_client == 100
    assert defaults.codec_cors_origins == ("http://localhost:8233",)
    config = BridgeConfig.from_env({
        "STARTJOB_BRIDGE_MAX_CONCURRENT_PER_CLIENT": "7",
        "STARTJOB_CODEC_CORS_ORIGINS": "https://temporal.example.com, http://localhost:8080/",
    })
    assert config.max_concurrent_per_client == 7
    assert config.codec_cors_origins == ("https://temporal.example.com", "http://localhost:8080")


@pytest.mark.parametrize(("env", "named"), [
    ({"STARTJOB_BRIDGE_MAX_CONCURRENT_PER_CLIENT": "0"},
     "STARTJOB_BRIDGE_MAX_CONCURRENT_PER_CLIENT"),
    ({"STARTJOB_CODEC_CORS_ORIGINS": "*"}, "STARTJOB_CODEC_CORS_ORIGINS"),
    ({"STARTJOB_CODEC_CORS_ORIGINS": "http://ui.example/path"}, "STARTJOB_CODEC_CORS_ORIGINS"),
])
def test_bad_hardening_settings_name_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigurationError, match=named):
        BridgeConfig.from_env(env)
