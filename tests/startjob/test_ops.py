"""Issue 5: ops find jobs by their search attributes, retry failed ones (reset: the job id
stays), cancel running ones, override retry policies without a deploy, and replay histories."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowExecutionStatus

import tests.fixtures.test_jobs  # noqa: F401  registers the test job types
from node_bridge import ErrorCode, JobClient, JobClientConfig, JobStatus
from tests.startjob.conftest import CliInvoke
from workflows import JobWorker, build_query, list_jobs


async def _eventually_listed(client: Client, query: str, count: int) -> list[str]:
    """Visibility is eventually consistent: poll until `count` jobs match."""
    ids: list[str] = []
    for _ in range(100):
        ids = [job.workflow_id for job in await list_jobs(client, query)]
        if len(ids) >= count:
            return ids
        await asyncio.sleep(0.1)
    return ids


async def test_jobs_are_found_by_each_search_attribute(
    job_client: JobClient, temporal_client: Client, task_queue: str, cli: CliInvoke
) -> None:
    execution = f"exec-{uuid.uuid4().hex[:8]}"
    async with JobWorker(job_client, task_queue=task_queue):
        result = await job_client.start_job("test-record", {"tag": "sa"}, 7,
                                            execution_id=execution, node_name="Make Report")
    assert result.success
    for clause in (f"ExecutionId = '{execution}'", f"ExecutionId = '{execution}' AND "
                   "ItemIndex = 7", f"ExecutionId = '{execution}' AND NodeName = 'Make Report'",
                   f"ExecutionId = '{execution}' AND JobType = 'test-record'"):
        ids = await _eventually_listed(temporal_client, build_query(raw=clause), 1)
        assert len(ids) == 1, clause

    listed = await cli("ls", "--type", "test-record", "--query", f"ExecutionId = '{execution}'",
                       "--json", "--ui-url", "http://ui.example:8233")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [(r["jobType"], r["itemIndex"], r["nodeName"], r["status"]) for r in rows] == [
        ("test-record", 7, "Make Report", "COMPLETED")]
    assert rows[0]["uiUrl"].startswith("http://ui.example:8233/namespaces/default/workflows/job%2F")


async def test_retry_reruns_a_failed_job_and_the_attached_caller_gets_success(
    job_client: JobClient, temporal_client: Client, task_queue: str, cli: CliInvoke,
    tmp_path: Path,
) -> None:
    settings = {"dir": str(tmp_path), "tag": "fix"}
    key = uuid.uuid4().hex
    async with JobWorker(job_client, task_queue=task_queue):
        failed = await job_client.start_job("test-needs-flag", settings, 0, idempotency_key=key)
        assert not failed.success and failed.error.code == ErrorCode.JOB_FAILED
        workflow_id = failed.error.workflow_id
        assert workflow_id == f"job/test-needs-flag/{key}"

        dry = await cli("retry", workflow_id, "--dry-run")
        assert dry.exit_code == 0 and f"would retry {workflow_id}" in dry.stdout
        description = await temporal_client.get_workflow_handle(workflow_id).describe()
        assert description.status == WorkflowExecutionStatus.FAILED
        assert description.run_id == failed.error.run_id or failed.error.run_id is None

        (tmp_path / "flag").write_text("fixed")  # the job is "fixed" between the runs
        retried = await cli("retry", workflow_id, "--yes", "--reason", "flag fixed")
        assert retried.exit_code == 0, retried.output
        assert f"retried {workflow_id}" in retried.stdout

        again = await job_client.start_job("test-needs-flag", settings, 0, idempotency_key=key)
    assert again.success, again
    assert again.data["fixed"] is True
    description = await temporal_client.get_workflow_handle(workflow_id).describe()
    assert description.status == WorkflowExecutionStatus.COMPLETED


async def test_retry_leaves_completed_jobs_alone_without_force(
    job_client: JobClient, task_queue: str, cli: CliInvoke
) -> None:
    key = uuid.uuid4().hex
    async with JobWorker(job_client, task_queue=task_queue):
        done = await job_client.start_job("test-record", {}, 0, idempotency_key=key)
    assert done.success
    workflow_id = f"job/test-record/{key}"
    result = await cli("retry", workflow_id, "--yes")
    assert result.exit_code == 1
    assert "not failed: left alone" in result.output


async def test_cancel_from_the_cli_gives_the_waiting_caller_cancelled(
    job_client: JobClient, cli: CliInvoke, task_queue: str
) -> None:
    key = uuid.uuid4().hex
    async with JobWorker(job_client, task_queue=task_queue):
        waiting = asyncio.create_task(
            job_client.start_job("test-slow", {"seconds": 60}, 0, idempotency_key=key))
        workflow_id = f"job/test-slow/{key}"
        for _ in range(100):  # until the activity heartbeats
            await asyncio.sleep(0.1)
            status = await _status_or_none(job_client, workflow_id)
            if status is not None and status.progress is not None:
                break
        cancelled = await cli("cancel", workflow_id)
        assert cancelled.exit_code == 0, cancelled.output
        result = await asyncio.wait_for(waiting, 30)
    assert not result.success
    assert result.error.code == ErrorCode.CANCELLED


async def _status_or_none(job_client: JobClient, workflow_id: str) -> JobStatus | None:
    try:
        return await job_client.get_job(workflow_id)
    except Exception:
        return None


async def test_startjob_toml_override_changes_the_attempts_made(
    temporal_client: Client, task_queue: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    cli: CliInvoke,
) -> None:
    config = tmp_path / "startjob.toml"
    config.write_text('[jobs.test-fail-always]\nmaximumAttempts = 2\ninitialInterval = "100ms"\n')
    monkeypatch.setenv("STARTJOB_CONFIG", str(config))
    client = JobClient(temporal_client, config=JobClientConfig(task_queue=task_queue))
    async with JobWorker(client, task_queue=task_queue):
        result = await client.start_job("test-fail-always", {}, 0)
    assert not result.success
    assert result.error.attempts == 2

    shown = await cli("job-types", "--json", "--jobs", "tests.fixtures.test_jobs")
    assert shown.exit_code == 0, shown.output
    row = next(r for r in json.loads(shown.stdout) if r["jobType"] == "test-fail-always")
    assert row["overridden"] is True and row["retryPolicy"]["maximumAttempts"] == 2


async def test_a_bad_override_is_an_error_naming_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: CliInvoke
) -> None:
    config = tmp_path / "startjob.toml"
    config.write_text('[jobs.echo]\nmaximumAttempts = "many"\n')
    monkeypatch.setenv("STARTJOB_CONFIG", str(config))
    result = await cli("job-types")
    assert result.exit_code == 2
    assert "jobs.echo.maximumAttempts" in result.output

    config.write_text('[jobs.echo]\nstartToCloseTimeout = "0s"\n')
    result = await cli("job-types")
    assert result.exit_code == 2
    assert "jobs.echo.startToCloseTimeout" in result.output
    assert "must be more than 0" in result.output

    config.write_text('[jobs.no-such-job]\nmaximumAttempts = 2\n')
    result = await cli("run", "echo", "--settings", "{}")
    assert result.exit_code == 2
    assert "no-such-job" in result.output


def _history_files() -> list[Path]:
    return sorted((Path(__file__).parents[1] / "histories").glob("*.json"))


async def test_replay_cli_passes_on_recorded_histories_and_fails_on_a_changed_one(
    cli: CliInvoke, tmp_path: Path
) -> None:
    files = _history_files()
    assert files, "tests/histories/ holds recorded StartJob histories"
    args = [arg for f in files for arg in ("--file", str(f))]
    ok = await cli("replay", *args)
    assert ok.exit_code == 0, ok.output
    assert f"{len(files)} replayed, 0 nondeterministic" in ok.output

    # The recorded workflow scheduled another activity than today's code would: nondeterminism.
    history = json.loads(files[0].read_text())
    for event in history["events"]:
        attributes = event.get("activityTaskScheduledEventAttributes")
        if attributes:
            attributes["activityType"]["name"] = "some-other-job"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(history))
    bad = await cli("replay", "--file", str(changed))
    assert bad.exit_code == 1
    assert "FAIL" in bad.output and "1 nondeterministic" in bad.output
