"""The Result's JSON is exactly the contract's (section 1): both arms, camelCase keys, and it
parses back."""

from __future__ import annotations

from pathlib import Path

from node_bridge import JobClient, result_adapter
from tests.fixtures import test_jobs
from workflows import JobWorker

ERROR_KEYS = {
    "code", "message", "jobType", "itemIndex", "retryable", "attempts", "errorType", "details",
    "workflowId", "runId", "traceId",
}


async def test_result_json_shape_of_both_arms(job_client: JobClient, task_queue: str,
                                              tmp_path: Path) -> None:
    jobs = [test_jobs.record, test_jobs.fail_always]
    async with JobWorker(job_client, task_queue=task_queue, jobs=jobs):
        ok = await job_client.start_job("test-record", {"tag": "json"}, 1)
        failed = await job_client.start_job("test-fail-always", {"dir": str(tmp_path)}, 2)

    assert ok.model_dump(mode="json", by_alias=True) == {
        "success": True, "data": {"tag": "json", "itemIndex": 1}}

    dumped = failed.model_dump(mode="json", by_alias=True)
    assert set(dumped) == {"success", "error"}
    assert dumped["success"] is False
    error = dumped["error"]
    assert set(error) == ERROR_KEYS
    assert error["code"] == "JOB_FAILED" and isinstance(error["code"], str)
    assert error["jobType"] == "test-fail-always" and error["itemIndex"] == 2
    assert error["retryable"] is True and error["attempts"] == 3
    assert error["errorType"] == "ValueError" and "boom" in error["message"]
    assert error["workflowId"].startswith("job/test-fail-always/") and error["runId"]
    # traceId is null without an OpenTelemetry SDK, 32 hex digits once a test installed one.
    assert error["traceId"] is None or len(error["traceId"]) == 32
    assert error["details"] is None

    for result in (ok, failed):
        assert result_adapter.validate_json(result.model_dump_json(by_alias=True)) == result
