"""What a waiting `POST /v1/jobs` keeps alive for its whole wait: one task, served by
`StartJobEndpoint` rather than FastAPI's router, with no second task for the result wait.

The bridge's memory per waiting call (docs/performance.md, `make bench` section 5) is mostly
the frames and objects each request keeps while it waits; these tests fail if the cheap path
stops being the one that serves it.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from typing import Any

import httpx
from temporalio.testing import WorkflowEnvironment

from node_bridge.bridge._models import StartJobRequest
from tests.fixtures.bridge_server import (
    HTTP_TIMEOUT,
    bridge_config,
    new_job_client,
    running_bridge,
)

WAITING = 3


def _frames(task: asyncio.Task[Any]) -> Iterator[str]:
    """`file:function` of each coroutine the task is suspended in, outermost first."""
    awaited: Any = task.get_coro()
    while awaited is not None:
        code = getattr(awaited, "cr_code", None) or getattr(awaited, "ag_code", None)
        if code is None:
            return
        yield f"{code.co_filename}:{code.co_name}"
        awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "ag_await", None)


def _waiting_request_tasks() -> list[list[str]]:
    stacks = [list(_frames(task)) for task in asyncio.all_tasks()]
    return [s for s in stacks if any(f.endswith(":_await_result") for f in s)]


async def test_a_waiting_call_holds_one_lean_task(workflow_env: WorkflowEnvironment) -> None:
    client = new_job_client(workflow_env)  # no worker polls its queue: the calls wait
    async with (running_bridge(client, bridge_config(with_worker=False)) as url,
                httpx.AsyncClient(base_url=url, timeout=HTTP_TIMEOUT) as http):
        body = {"jobType": "echo", "settings": {"x": 1}, "itemIndex": 0, "waitSeconds": 15}
        calls = [asyncio.create_task(http.post("/v1/jobs", json=body)) for _ in range(WAITING)]
        try:
            for _ in range(200):
                waiting = _waiting_request_tasks()
                if len(waiting) == WAITING:
                    break
                await asyncio.sleep(0.05)
            assert len(waiting) == WAITING, "the calls never reached the result wait"
            for stack in waiting:
                joined = "\n".join(stack)
                assert ":run_asgi" in stack[0], joined  # the request's own uvicorn task
                assert any(f.endswith("_start_endpoint.py:_answer") for f in stack), joined
                assert "fastapi/routing.py" not in joined, joined
                assert "fastapi/dependencies" not in joined, joined
                # the guards run in front of FastAPI, not inside its middleware stack
                assert "fastapi/applications.py" not in joined, joined
                assert "starlette/middleware/errors.py" not in joined, joined
            result_waits = [s for s in (list(_frames(t)) for t in asyncio.all_tasks())
                            if s and s[0].endswith(":result")]
            assert result_waits == [], "a separate task per result wait (wait_for) is back"
            gc.collect()
            requests = [o for o in gc.get_objects() if isinstance(o, StartJobRequest)]
            assert requests == [], "a waiting call keeps its validated request alive"
        finally:
            for call in calls:
                call.cancel()
            await asyncio.gather(*calls, return_exceptions=True)


async def test_the_openapi_document_still_describes_post_jobs(
        workflow_env: WorkflowEnvironment) -> None:
    """The FastAPI route stays declared for the document, though `StartJobEndpoint` serves it."""
    client = new_job_client(workflow_env)
    async with (running_bridge(client, bridge_config(with_worker=False)) as url,
                httpx.AsyncClient(base_url=url, timeout=HTTP_TIMEOUT) as http):
        document = (await http.get("/openapi.json")).json()
    operation = document["paths"]["/v1/jobs"]["post"]
    assert {"200", "202", "422"} <= set(operation["responses"])
    assert operation["requestBody"]["content"]["application/json"]["schema"]
