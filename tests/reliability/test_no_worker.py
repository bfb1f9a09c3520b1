"""No worker polls the job's task queue: the caller's wait runs out with TIMEOUT (retryable,
with the workflowId) saying so, and the bridge answers 202 RUNNING with that message; once a
worker comes, re-attaching gets the Result. The JobClient side is
tests/core/test_job_failures.py::test_no_worker_polling_times_out_with_a_workflow_id."""

from __future__ import annotations

from urllib.parse import quote

import httpx
from temporalio.testing import WorkflowEnvironment

from activities.examples import echo
from tests.fixtures.bridge_server import HTTP_TIMEOUT, bridge_config, new_job_client, running_bridge
from workflows import JobWorker


async def test_bridge_answers_202_naming_the_missing_worker_then_the_result(
    workflow_env: WorkflowEnvironment,
) -> None:
    client = new_job_client(workflow_env)
    queue = client.config.task_queue
    key = f"no-worker-{queue}"
    async with (
        running_bridge(client, bridge_config(with_worker=False)) as url,
        httpx.AsyncClient(base_url=url, timeout=HTTP_TIMEOUT) as http,
    ):
        started = await http.post("/v1/jobs", json={
            "jobType": "echo", "settings": {"hello": "nobody"}, "itemIndex": 3,
            "idempotencyKey": key, "waitSeconds": 2})
        assert started.status_code == 202, started.text
        body = started.json()
        assert body["status"] == "RUNNING" and body["jobId"] == f"job/echo/{key}"
        assert "no worker polls" in body["message"] and queue in body["message"]

        job_path = f"/v1/jobs/{quote(body['jobId'], safe='')}"
        still = await http.get(job_path, params={"waitSeconds": 1})
        assert still.status_code == 202 and still.json()["status"] == "RUNNING"

        async with JobWorker(client, task_queue=queue, jobs=[echo]):
            done = await http.get(job_path, params={"waitSeconds": 15})
            again = await http.post("/v1/jobs", json={
                "jobType": "echo", "settings": {"hello": "nobody"}, "itemIndex": 3,
                "idempotencyKey": key})
    assert done.status_code == 200, done.text
    assert done.json()["success"] is True and done.json()["data"] == {"hello": "nobody"}
    assert again.status_code == 200 and again.json()["data"] == {"hello": "nobody"}
