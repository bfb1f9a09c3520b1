"""Following a job by id: 202 when the wait runs out, GET long-polls to the end, cancel.
Job ids contain slashes; they work URL-encoded and raw."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

import httpx

from node_bridge import ErrorCode


def _encoded(job_id: str) -> str:
    return quote(job_id, safe="")


async def _start_slow(http: httpx.AsyncClient, seconds: float, *, key: str | None = None,
                      item_index: int = 0) -> dict[str, Any]:
    body: dict[str, Any] = {"jobType": "test-slow", "settings": {"seconds": seconds},
                            "itemIndex": item_index, "waitSeconds": 0.1}
    if key:
        body["idempotencyKey"] = key
    response = await http.post("/v1/jobs", json=body)
    assert response.status_code == 202, response.text
    running: dict[str, Any] = response.json()
    assert running["status"] == "RUNNING"
    assert running["jobId"].startswith("job/test-slow/")
    assert response.headers["Location"] == f"/v1/jobs/{_encoded(running['jobId'])}"
    return running


async def test_202_then_long_poll_to_the_result(http: httpx.AsyncClient) -> None:
    running = await _start_slow(http, 1.5, item_index=7)
    assert running["itemIndex"] == 7
    response = await http.get(f"/v1/jobs/{_encoded(running['jobId'])}",
                              params={"waitSeconds": 15})
    assert response.status_code == 200
    body = response.json()
    assert body["jobId"] == running["jobId"]
    assert body["status"] == "COMPLETED"
    assert body["success"] is True
    assert body["result"] == {"success": True, "data": body["data"]}
    assert body["data"]["attempt"] == 1


async def test_get_without_wait_answers_at_once(http: httpx.AsyncClient) -> None:
    running = await _start_slow(http, 20)
    response = await http.get(f"/v1/jobs/{_encoded(running['jobId'])}")
    assert response.status_code == 202
    assert response.json()["status"] == "RUNNING"
    await http.post(f"/v1/jobs/{_encoded(running['jobId'])}/cancel")


async def test_raw_slashes_work_like_encoded_ones(http: httpx.AsyncClient) -> None:
    key = f"raw/{uuid.uuid4()}/cancel"  # a key with slashes, ending like the action
    running = await _start_slow(http, 20, key=key)
    job_id = running["jobId"]
    assert job_id == f"job/test-slow/{key}"
    raw = await http.get(f"/v1/jobs/{job_id}")
    encoded = await http.get(f"/v1/jobs/{_encoded(job_id)}")
    assert raw.status_code == encoded.status_code == 202
    assert raw.json()["jobId"] == encoded.json()["jobId"] == job_id
    # POSTing to the encoded id alone is not a cancel, even though it ends in "cancel".
    not_an_action = await http.post(f"/v1/jobs/{_encoded(job_id)}")
    assert not_an_action.status_code == 405
    cancelled = await http.post(f"/v1/jobs/{job_id}/cancel")
    assert cancelled.status_code == 202
    assert cancelled.json() == {"jobId": job_id, "status": "CANCEL_REQUESTED"}


async def test_cancel_answers_cancelled(http: httpx.AsyncClient) -> None:
    running = await _start_slow(http, 30)
    path = f"/v1/jobs/{_encoded(running['jobId'])}"
    response = await http.post(f"{path}/cancel")
    assert response.status_code == 202
    assert response.json()["status"] == "CANCEL_REQUESTED"
    done = await http.get(path, params={"waitSeconds": 15})
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "CANCELED"
    assert body["success"] is False
    assert body["error"]["code"] == ErrorCode.CANCELLED
    again = await http.post(f"{path}/cancel")  # already ended: show how
    assert again.status_code == 200
    assert again.json()["error"]["code"] == ErrorCode.CANCELLED


async def test_a_finished_job_by_id(http: httpx.AsyncClient) -> None:
    started = await http.post("/v1/jobs", json={"jobType": "test-fail-always", "settings": {},
                                                "itemIndex": 1})
    job_id = started.json()["error"]["workflowId"]
    response = await http.get(f"/v1/jobs/{_encoded(job_id)}", params={"waitSeconds": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "FAILED"
    assert body["error"]["code"] == ErrorCode.JOB_FAILED
    assert body["itemIndex"] == 1


async def test_unknown_job_id_is_404(http: httpx.AsyncClient) -> None:
    for path in ("/v1/jobs/job%2Fecho%2Fno-such-key", "/v1/jobs/job/echo/no-such-key",
                 "/v1/jobs/job/echo/no-such-key/cancel"):
        method = "POST" if path.endswith("/cancel") else "GET"
        response = await http.request(method, path, params={"waitSeconds": 1})
        assert response.status_code == 404, (path, response.text)
        error = response.json()["error"]
        assert error["errorType"] == "JobNotFound"
        assert error["jobType"] == "echo"
        assert error["workflowId"] == "job/echo/no-such-key"
    empty = await http.get("/v1/jobs/")
    assert empty.status_code == 404, empty.text


async def test_wait_seconds_must_be_a_number(http: httpx.AsyncClient) -> None:
    response = await http.get("/v1/jobs/job%2Fecho%2Fx", params={"waitSeconds": "soon"})
    assert response.status_code == 422
    assert "waitSeconds" in response.json()["error"]["message"]
    start = await http.post("/v1/jobs", json={"jobType": "echo", "settings": {}, "itemIndex": 0,
                                              "waitSeconds": 0})
    assert start.status_code == 422
    assert "waitSeconds" in start.json()["error"]["message"]
