"""A bridge with a token: 401 UNAUTHORIZED without it or with a wrong one, served with it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr
from temporalio.testing import WorkflowEnvironment

from node_bridge import ErrorCode
from tests.fixtures.bridge_server import HTTP_TIMEOUT, bridge_config, new_job_client, running_bridge

TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
async def secured_url(workflow_env: WorkflowEnvironment) -> AsyncIterator[str]:
    config = bridge_config(token=SecretStr(TOKEN))
    async with running_bridge(new_job_client(workflow_env), config) as url:
        yield url


@pytest.fixture
async def anonymous(secured_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=secured_url, timeout=HTTP_TIMEOUT) as http:
        yield http


ECHO = {"jobType": "echo", "settings": {"a": 1}, "itemIndex": 0}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"},
                                     {"Authorization": f"Basic {TOKEN}"},
                                     {"Authorization": "Bearer"}])
async def test_missing_or_wrong_token_is_401(anonymous: httpx.AsyncClient,
                                             headers: dict[str, str]) -> None:
    for request in (anonymous.build_request("POST", "/v1/jobs", json=ECHO, headers=headers),
                    anonymous.build_request("GET", "/v1/job-types", headers=headers),
                    anonymous.build_request("GET", "/openapi.json", headers=headers)):
        response = await anonymous.send(request)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
        body = response.json()
        assert body["success"] is False
        assert body["error"]["code"] == ErrorCode.UNAUTHORIZED
        assert TOKEN not in response.text


async def test_the_right_token_is_served(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.post("/v1/jobs", json=ECHO,
                                    headers={"Authorization": f"bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.json() == {"success": True, "data": {"a": 1}}


async def test_an_unauthenticated_body_is_never_read(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.post("/v1/jobs", content=b"{" * (2 * 1024 * 1024),
                                    headers={"Content-Type": "application/json"})
    assert response.status_code == 401  # the token check runs before the body limit


async def test_health_probes_need_no_token(anonymous: httpx.AsyncClient) -> None:
    assert (await anonymous.get("/healthz")).status_code == 200
    assert (await anonymous.get("/readyz")).status_code == 200
