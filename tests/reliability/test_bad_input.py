"""`JobClient.start_job` given anything at all: arbitrary, huge, deeply nested and non-JSON
settings, wrong-typed and out-of-range item indexes, odd unicode job types and idempotency keys,
odd wait timeouts. Every call answers a Result (never an exception) whose code is one of the
contract's and whose JSON is valid; refusals launch nothing (attempts 0)."""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities.examples import echo
from node_bridge import ErrorCode, Failure, JobClient, Success
from tests.fixtures import test_jobs
from workflows import JobWorker

REFUSALS = {ErrorCode.UNKNOWN_JOB_TYPE, ErrorCode.INVALID_SETTINGS, ErrorCode.PAYLOAD_TOO_LARGE}


class Opaque:
    """Not JSON: no serializer knows it."""


def _circular() -> list[Any]:
    loop: list[Any] = []
    loop.append(loop)
    return loop


def _nested(depth: int) -> Any:
    value: Any = "bottom"
    for level in range(depth):
        value = {"k": value} if level % 2 else [value]
    return value


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=25,
)
not_json = st.sampled_from([
    Opaque(), {1, 2}, b"\xff\xfe bytes", complex(1, 2), float("nan"), float("inf"),
    datetime.datetime(2024, 1, 1), decimal.Decimal("1.5"), uuid.UUID(int=7), Path("/tmp"),
    {(1, 2): "tuple key"}, {None: 1}, _circular(), (i for i in range(3)), print, object,
    {"nested": [Opaque()]}, 2**200, -(2**80),
])
huge = st.sampled_from([
    "x" * 600_000, {"blob": "y" * 600_000}, list(range(120_000)),
    {"k": "z" * 520_000}, ["é" * 200_000],
])
deep = st.sampled_from([_nested(50), _nested(400), _nested(5_000), _nested(50_000)])
any_settings = json_values | not_json | huge | deep | st.builds(dict, size=st.integers())

job_types = (
    st.sampled_from(["echo", "test-big-result", "ECHO", "echo ", "", "job/echo", "e\x00cho"])
    | st.text(max_size=300)
    | st.sampled_from(["\u202e", "\ud7ff", "🦄" * 100, "a" * 10_000, "../../etc/passwd"])
    | st.sampled_from([None, 1, 1.5, b"echo", ["echo"], {"echo": 1}])
)
item_indexes = (
    st.integers(min_value=-(2**70), max_value=2**70)
    | st.sampled_from([0, 1, 2**53 - 1, 2**53, -1, 2**63, True, False, None, 1.0, "1", [], {},
                       float("nan")])
)
keys = st.none() | st.text(max_size=60) | st.sampled_from(
    ["", " ", "a/b/c", "%2F", "\x00", "\n\t", "🦄", "k" * 1_500, "é" * 400, "x" * 401,
     "💥" * 400, "💥" * 171, "ü" * 342])
waits = st.sampled_from([None, 20.0, 0.0, -1.0, float("nan"), "soon", [], 1e308,
                         float("inf"), datetime.timedelta(seconds=15), datetime.timedelta(-1)])


def _check(result: Any) -> None:
    assert isinstance(result, Success | Failure), result
    dumped = result.model_dump(mode="json", by_alias=True)
    json.dumps(dumped, allow_nan=False)  # valid JSON, as the bridge would send it
    if isinstance(result, Failure):
        error = result.error
        assert error.code in ErrorCode, error
        assert isinstance(error.message, str) and error.message
        assert isinstance(error.item_index, int) and isinstance(error.job_type, str)
        if error.code in REFUSALS and error.workflow_id is None:
            assert error.attempts == 0


def _plain_json(value: Any) -> str | None:
    try:
        return json.dumps(value, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return None


@pytest.fixture
async def serving(job_client: JobClient, task_queue: str) -> AsyncIterator[JobClient]:
    """One worker for every example: echo (accepts any JSON) and test-big-result."""
    async with JobWorker(job_client, task_queue=task_queue, jobs=[echo, test_jobs.big_result]):
        yield job_client


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(job_type=job_types, settings_=any_settings, item_index=item_indexes, key=keys, wait=waits)
async def test_start_job_answers_a_result_whatever_it_is_given(
    serving: JobClient, job_type: Any, settings_: Any, item_index: Any, key: Any, wait: Any,
) -> None:
    result = await serving.start_job(job_type, settings_, item_index, idempotency_key=key,
                                     wait_timeout=wait)
    _check(result)


@settings(max_examples=100, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(settings_=json_values | not_json | huge | deep,
       item_index=st.integers(min_value=0, max_value=2**53 - 1), key=keys, names=keys)
async def test_echo_with_odd_settings_and_keys_launches_or_refuses_cleanly(
    serving: JobClient, settings_: Any, item_index: int, key: Any, names: Any,
) -> None:
    """A known job type and a valid itemIndex: every call gets as far as Temporal unless its
    settings are refused; plain JSON settings come back unchanged."""
    result = await serving.start_job("echo", settings_, item_index, idempotency_key=key,
                                     execution_id=names, node_name=names, wait_timeout=60)
    _check(result)
    if isinstance(result, Success):
        sent = _plain_json(settings_)  # others come back normalized (sets as lists, ...)
        if sent is not None and not key:  # a reused key attaches to an earlier job
            assert json.dumps(result.data, sort_keys=True) == sent
    else:
        assert result.error.code in {*REFUSALS, ErrorCode.JOB_FAILED}, result.error.message
