"""The `@job` registry: names are unique, a duplicate names both functions, and a definition
records what the decorator was given."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import BaseModel
from temporalio.common import RetryPolicy

from activities import DuplicateJobTypeError, JobContext, JobRegistry, definition_of, job


class Settings(BaseModel):
    n: int


def first_function(settings: Settings) -> int:
    return settings.n


def second_function(settings: Settings, ctx: JobContext) -> int:
    return settings.n


def test_same_name_from_two_functions_raises_naming_both() -> None:
    registry = JobRegistry()
    job("dup", registry=registry)(first_function)
    with pytest.raises(DuplicateJobTypeError) as raised:
        job("dup", registry=registry)(second_function)
    message = str(raised.value)
    assert "'dup'" in message
    assert f"{__name__}.first_function" in message
    assert f"{__name__}.second_function" in message
    assert raised.value.name == "dup"
    assert registry.get("dup") is not None
    assert registry.get("dup").function is first_function  # type: ignore[union-attr]


def test_registering_the_same_function_again_is_not_a_duplicate() -> None:
    registry = JobRegistry()
    job("again", registry=registry)(first_function)
    job("again", registry=registry)(first_function)  # e.g. a module imported twice
    assert registry.names() == ["again"]


def test_definition_records_the_decorator_arguments() -> None:
    registry = JobRegistry()
    policy = RetryPolicy(maximum_attempts=7)

    @job("recorded", registry=registry, retry_policy=policy, local=True, task_queue="q",
         start_to_close_timeout=timedelta(seconds=5))
    async def recorded(settings: Settings, ctx: JobContext) -> dict[str, Any]:
        """Does a thing."""
        return {}

    definition = definition_of(recorded)
    assert registry.get("recorded") is definition
    assert definition.settings_type is Settings
    assert definition.is_async and definition.local and definition.task_queue == "q"
    assert definition.retry_policy is policy
    assert definition.start_to_close_timeout == timedelta(seconds=5)
    assert definition.description == "Does a thing."
    assert "n" in definition.settings_json_schema()["properties"]


def test_bad_declarations_are_refused() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        job("")
    with pytest.raises(TypeError, match="settings"):
        job("no-params", registry=JobRegistry())(lambda: None)

    def undecorated(settings: Settings) -> int:
        return settings.n

    with pytest.raises(TypeError, match="not a job type"):
        definition_of(undecorated)
