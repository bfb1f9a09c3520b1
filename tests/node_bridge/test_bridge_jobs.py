"""POST /v1/jobs against the real bridge: every outcome answers a Result, with the status the
error-code table gives."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx

from node_bridge import ErrorCode


def _start(job_type: str, settings: dict[str, Any], item_index: int = 0,
           **extra: Any) -> dict[str, Any]:
    return {"jobType": job_type, "settings": settings, "itemIndex": item_index, **extra}


def _error(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert body["success"] is False, body
    error: dict[str, Any] = body["error"]
    assert set(error) >= {"code", "message", "jobType", "itemIndex", "retryable", "attempts",
                          "errorType", "details", "workflowId", "runId", "traceId"}
    return error


async def test_success_answers_200_with_the_result(http: httpx.AsyncClient) -> None:
    response = await http.post("/v1/jobs", json=_start("echo", {"hello": "world"}, 3))
    assert response.status_code == 200
    assert response.json() == {"success": True, "data": {"hello": "world"}}


async def test_a_failed_job_answers_200_job_failed(http: httpx.AsyncClient) -> None:
    response = await http.post("/v1/jobs", json=_start("test-fail-always", {}, 2))
    assert response.status_code == 200
    error = _error(response)
    assert error["code"] == ErrorCode.JOB_FAILED
    assert error["attempts"] == 3
    assert error["itemIndex"] == 2
    assert "boom" in error["message"]
    assert error["workflowId"].startswith("job/test-fail-always/")


async def test_idempotency_key_attaches_to_the_same_job(http: httpx.AsyncClient) -> None:
    body = _start("test-record", {"tag": "once"}, 0, idempotencyKey=f"k-{uuid.uuid4()}",
                  executionId="exec-1", nodeName="Start Job")
    first = await http.post("/v1/jobs", json=body)
    second = await http.post("/v1/jobs", json=body)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() == {"success": True,
                                             "data": {"tag": "once", "itemIndex": 0}}


async def test_unknown_job_type_is_404(http: httpx.AsyncClient) -> None:
    response = await http.post("/v1/jobs", json=_start("no-such-job", {}, 0))
    assert response.status_code == ErrorCode.UNKNOWN_JOB_TYPE.http_status == 404
    error = _error(response)
    assert error["code"] == ErrorCode.UNKNOWN_JOB_TYPE
    assert error["jobType"] == "no-such-job"
    assert error["workflowId"] is None


async def test_settings_the_job_type_rejects_are_422(http: httpx.AsyncClient) -> None:
    response = await http.post("/v1/jobs", json=_start("test-slow", {"seconds": -1}, 0))
    assert response.status_code == ErrorCode.INVALID_SETTINGS.http_status == 422
    error = _error(response)
    assert error["code"] == ErrorCode.INVALID_SETTINGS
    assert "seconds" in error["message"]


async def test_malformed_json_is_400(http: httpx.AsyncClient) -> None:
    response = await http.post("/v1/jobs", content=b'{"jobType": "echo", ',
                               headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == ErrorCode.INVALID_SETTINGS
    assert "malformed JSON" in error["message"]


async def test_missing_job_type_is_422_naming_it(http: httpx.AsyncClient) -> None:
    response = await http.post("/v1/jobs", json={"settings": {}, "itemIndex": 0})
    assert response.status_code == 422
    error = _error(response)
    assert error["code"] == ErrorCode.INVALID_SETTINGS
    assert "jobType" in error["message"]
    assert error["details"][0]["loc"] == ["body", "jobType"]


async def test_settings_of_the_wrong_type_is_422_naming_it(http: httpx.AsyncClient) -> None:
    response = await http.post("/v1/jobs", json={"jobType": "report-generator",
                                                 "settings": "x", "itemIndex": 4})
    assert response.status_code == 422
    error = _error(response)
    assert "settings" in error["message"]
    assert (error["jobType"], error["itemIndex"]) == ("report-generator", 4)


async def test_settings_may_be_any_json_the_job_type_accepts(http: httpx.AsyncClient) -> None:
    response = await http.post("/v1/jobs", json={"jobType": "echo", "settings": [1, "two"],
                                                 "itemIndex": 0})
    assert response.status_code == 200, response.text
    assert response.json() == {"success": True, "data": [1, "two"]}


async def test_missing_settings_is_422_naming_it(http: httpx.AsyncClient) -> None:
    response = await http.post("/v1/jobs", json={"jobType": "echo", "itemIndex": 0})
    assert response.status_code == 422
    assert "settings" in _error(response)["message"]


async def test_item_index_of_the_wrong_type_is_422_naming_it(http: httpx.AsyncClient) -> None:
    for bad in ("3", 1.5, -1, True, None):
        response = await http.post("/v1/jobs", json={"jobType": "echo", "settings": {},
                                                     "itemIndex": bad})
        assert response.status_code == 422, (bad, response.text)
        assert "itemIndex" in _error(response)["message"]


async def test_a_body_that_is_not_an_object_is_422(http: httpx.AsyncClient) -> None:
    for content in (b"[1, 2]", b'"echo"', b""):
        response = await http.post("/v1/jobs", content=content,
                                   headers={"Content-Type": "application/json"})
        assert response.status_code == 422, (content, response.text)
        assert _error(response)["code"] == ErrorCode.INVALID_SETTINGS


async def test_a_body_sent_as_text_is_422_saying_which_content_type(
        http: httpx.AsyncClient) -> None:
    body = json.dumps(_start("echo", {}, 0)).encode()
    for headers in ({"Content-Type": "text/plain"}, {}):
        response = await http.post("/v1/jobs", content=body, headers=headers)
        assert response.status_code == 422, (headers, response.text)
        error = _error(response)
        assert error["code"] == ErrorCode.INVALID_SETTINGS
        assert "send Content-Type: application/json" in error["message"], error["message"]


async def test_json_content_types_with_parameters_or_suffixes_are_read(
        http: httpx.AsyncClient) -> None:
    body = json.dumps(_start("echo", {"typed": True}, 0)).encode()
    for content_type in ("application/json; charset=utf-8", "application/vnd.startjob+json"):
        response = await http.post("/v1/jobs", content=body,
                                   headers={"Content-Type": content_type})
        assert response.status_code == 200, (content_type, response.text)
        assert response.json()["data"] == {"typed": True}


async def test_a_body_that_is_not_utf8_is_400(http: httpx.AsyncClient) -> None:
    response = await http.post("/v1/jobs", content=b'{"jobType": "\xff\xfe"}',
                               headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert _error(response)["errorType"] == "MalformedJSON"


async def test_a_body_over_the_limit_is_413_unread(http: httpx.AsyncClient) -> None:
    padding = "x" * (2 * 1024 * 1024)
    response = await http.post("/v1/jobs", json=_start("echo", {"blob": padding}, 0))
    assert response.status_code == 413
    error = _error(response)
    assert error["code"] == ErrorCode.PAYLOAD_TOO_LARGE
    assert error["details"]["limit"] == 1024 * 1024


async def test_a_chunked_body_over_the_limit_is_413(http: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"jobType": "echo", "itemIndex": 0, "settings": {"blob": "'
        for _ in range(40):
            yield b"y" * 65536
        yield b'"}}'

    response = await http.post("/v1/jobs", content=chunks(),
                               headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert _error(response)["code"] == ErrorCode.PAYLOAD_TOO_LARGE


async def test_a_small_chunked_body_is_served(http: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield json.dumps(_start("echo", {"chunked": True}, 0)).encode()

    response = await http.post("/v1/jobs", content=chunks(),
                               headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    assert response.json()["data"] == {"chunked": True}


async def test_settings_over_the_client_limit_are_413(http: httpx.AsyncClient) -> None:
    response = await http.post("/v1/jobs", json=_start("echo", {"blob": "z" * 600_000}, 0))
    assert response.status_code == 413
    error = _error(response)
    assert error["code"] == ErrorCode.PAYLOAD_TOO_LARGE
    assert error["errorType"] == "PayloadTooLarge"


async def test_an_unknown_route_answers_a_result(http: httpx.AsyncClient) -> None:
    response = await http.get("/v2/nothing")
    assert response.status_code == 404
    assert _error(response)["code"] == ErrorCode.INVALID_SETTINGS


async def test_a_traceparent_header_is_accepted(http: httpx.AsyncClient) -> None:
    traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    response = await http.post("/v1/jobs", json=_start("echo", {"t": 1}, 0),
                               headers={"traceparent": traceparent})
    assert response.status_code == 200
