"""With payload encryption on, Temporal's history holds ciphertext only, while `start_job`
still answers the decoded Result; payloads written under an old key decode after rotation.

Histories are fetched with the session's plain client (no codec): what anyone with access to
Temporal, but not to the keys, would see.
"""

from __future__ import annotations

import uuid

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client

import activities.examples  # registers the example job types
import tests.fixtures.test_jobs  # registers the test-* job types
from node_bridge import JobClient, JobClientConfig, job_workflow_id
from workflows import ENCRYPTED_ENCODING, KEY_ID_METADATA, JobWorker, generate_key

SECRET = "hunter2-" + uuid.uuid4().hex  # a settings value that must never be stored readable
K1, K2 = generate_key(), generate_key()


def _encrypted_client(temporal_client: Client, task_queue: str, keys: str,
                      monkeypatch: pytest.MonkeyPatch) -> JobClient:
    monkeypatch.setenv("STARTJOB_ENCRYPTION_KEYS", keys)
    return JobClient(temporal_client, config=JobClientConfig(task_queue=task_queue))


async def _raw_history(client: Client, workflow_id: str) -> list[HistoryEvent]:
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    return list(history.events)


def _raw_bytes(events: list[HistoryEvent]) -> bytes:
    return b"".join(event.SerializeToString() for event in events)


def _data_payloads(events: list[HistoryEvent]) -> list[Payload]:
    """Workflow input, activity input and result, local-activity marker result, workflow
    result: every payload that carries settings or a result."""
    found: list[Payload] = []
    for event in events:
        for field in ("workflow_execution_started_event_attributes.input",
                      "activity_task_scheduled_event_attributes.input",
                      "activity_task_completed_event_attributes.result",
                      "workflow_execution_completed_event_attributes.result"):
            kind, name = field.split(".")
            if event.HasField(kind):  # type: ignore[arg-type]
                found += getattr(getattr(event, kind), name).payloads
        if event.HasField("marker_recorded_event_attributes"):
            details = event.marker_recorded_event_attributes.details
            if "result" in details:  # "data" is the SDK's bookkeeping (ids, times)
                found += details["result"].payloads
    return found


async def test_history_holds_no_plaintext_but_start_job_answers_decoded(
    temporal_client: Client, task_queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = {name: f"{name}-{uuid.uuid4().hex[:8]}" for name in ("plain", "echo", "record")}
    plain = JobClient(temporal_client, config=JobClientConfig(task_queue=task_queue))
    async with JobWorker(plain, task_queue=task_queue, jobs=[activities.examples.echo]):
        control = await plain.start_job("echo", {"password": SECRET}, 0,
                                        idempotency_key=keys["plain"])

    encrypted = _encrypted_client(temporal_client, task_queue, f"k1:{K1}", monkeypatch)
    async with JobWorker(encrypted, task_queue=task_queue,
                         jobs=[activities.examples.echo, tests.fixtures.test_jobs.record]):
        echoed = await encrypted.start_job("echo", {"password": SECRET}, 0,
                                           idempotency_key=keys["echo"])
        recorded = await encrypted.start_job("test-record", {"tag": SECRET}, 1,
                                             idempotency_key=keys["record"])

    assert control.success and echoed.success and recorded.success, (control, echoed, recorded)
    assert echoed.data == {"password": SECRET}
    assert recorded.data == {"tag": SECRET, "itemIndex": 1}
    # The check can see plaintext: without the codec the secret is right there.
    control_events = await _raw_history(temporal_client, job_workflow_id("echo", keys["plain"]))
    assert SECRET.encode() in _raw_bytes(control_events)
    for job_type, key in (("echo", keys["echo"]), ("test-record", keys["record"])):
        events = await _raw_history(temporal_client, job_workflow_id(job_type, key))
        assert SECRET.encode() not in _raw_bytes(events)
        payloads = _data_payloads(events)
        assert len(payloads) >= 3, job_type  # input, the job's result, the workflow's result
        for payload in payloads:
            assert payload.metadata["encoding"] == ENCRYPTED_ENCODING
            assert payload.metadata[KEY_ID_METADATA] == b"k1"


async def test_failure_messages_are_encrypted_too(
    temporal_client: Client, task_queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    encrypted = _encrypted_client(temporal_client, task_queue, f"k1:{K1}", monkeypatch)
    key = uuid.uuid4().hex
    async with JobWorker(encrypted, task_queue=task_queue,
                         jobs=[tests.fixtures.test_jobs.fail_always]):
        result = await encrypted.start_job("test-fail-always", {"tag": SECRET}, 0,
                                           idempotency_key=key)
    assert not result.success
    assert "boom" in result.error.message  # decoded for the caller
    events = await _raw_history(temporal_client, job_workflow_id("test-fail-always", key))
    raw = _raw_bytes(events)
    assert b"boom" not in raw and SECRET.encode() not in raw


async def test_old_payloads_decode_after_key_rotation(
    temporal_client: Client, task_queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = _encrypted_client(temporal_client, task_queue, f"k1:{K1}", monkeypatch)
    key = uuid.uuid4().hex
    async with JobWorker(old, task_queue=task_queue, jobs=[activities.examples.echo]):
        first = await old.start_job("echo", {"password": SECRET}, 0, idempotency_key=key)
    assert first.success, first

    rotated = _encrypted_client(temporal_client, task_queue, f"k2:{K2},k1:{K1}", monkeypatch)
    # The same idempotency key attaches to the finished run: its result was written under k1.
    again = await rotated.start_job("echo", {"password": SECRET}, 0, idempotency_key=key)
    assert again.success and again.data == {"password": SECRET}, again

    new_key = uuid.uuid4().hex
    async with JobWorker(rotated, task_queue=task_queue, jobs=[activities.examples.echo]):
        fresh = await rotated.start_job("echo", {"n": 2}, 0, idempotency_key=new_key)
    assert fresh.success and fresh.data == {"n": 2}
    events = await _raw_history(temporal_client, job_workflow_id("echo", new_key))
    assert {p.metadata[KEY_ID_METADATA] for p in _data_payloads(events)} == {b"k2"}

    dropped = _encrypted_client(temporal_client, task_queue, f"k2:{K2}", monkeypatch)
    lost = await dropped.start_job("echo", {"password": SECRET}, 0, idempotency_key=key)
    assert not lost.success
    assert "'k1'" in lost.error.message  # names the missing key id, not a key
