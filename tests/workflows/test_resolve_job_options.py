"""`resolve_job_options`: call > ops override > job type > global default, for the retry
policy (the call replaces it whole, an override changes only the fields it names) and the
timeouts; `UNSET` and `None` from the call both fall through."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from temporalio.common import RetryPolicy

from activities import JobDefinition, JobRegistry, definition_of, job
from workflows import (
    DEFAULT_RETRY_POLICY,
    DEFAULT_START_TO_CLOSE_TIMEOUT,
    UNSET,
    JobOverride,
    RetryPolicySpec,
    resolve_job_options,
)

JOB_TYPE_POLICY = RetryPolicy(initial_interval=timedelta(seconds=2), backoff_coefficient=3.0,
                              maximum_interval=timedelta(seconds=30), maximum_attempts=7,
                              non_retryable_error_types=["BadInput"])


def _definition(name: str = "opts", **options: Any) -> JobDefinition:
    def run(settings: dict[str, Any]) -> None:
        return None

    return definition_of(job(name, registry=JobRegistry(), **options)(run))


def test_global_default_when_nothing_else_says() -> None:
    options = resolve_job_options(_definition())
    assert options.retry_policy == DEFAULT_RETRY_POLICY
    assert options.retry_policy.maximum_attempts == 3
    assert options.start_to_close_timeout == DEFAULT_START_TO_CLOSE_TIMEOUT
    assert options.schedule_to_close_timeout is None and options.heartbeat_timeout is None
    assert options.local is False and options.task_queue is None


def test_custom_global_default() -> None:
    default = RetryPolicySpec(maximum_attempts=9)
    options = resolve_job_options(_definition(), default_retry_policy=default)
    assert options.retry_policy == default


def test_job_type_beats_global_default() -> None:
    definition = _definition(retry_policy=JOB_TYPE_POLICY, local=True, task_queue="special",
                             heartbeat_timeout=timedelta(seconds=4),
                             start_to_close_timeout=timedelta(seconds=20))
    options = resolve_job_options(definition)
    assert options.retry_policy == RetryPolicySpec.from_temporal(JOB_TYPE_POLICY)
    assert options.retry_policy.to_temporal() == JOB_TYPE_POLICY
    assert options.start_to_close_timeout == timedelta(seconds=20)
    assert options.heartbeat_timeout == timedelta(seconds=4)
    assert options.local is True and options.task_queue == "special"


def test_schedule_to_close_alone_leaves_start_to_close_unlimited() -> None:
    options = resolve_job_options(_definition(schedule_to_close_timeout=timedelta(minutes=1)))
    assert options.schedule_to_close_timeout == timedelta(minutes=1)
    assert options.start_to_close_timeout is None


def test_ops_override_changes_only_the_fields_it_names() -> None:
    definition = _definition(retry_policy=JOB_TYPE_POLICY,
                             start_to_close_timeout=timedelta(seconds=20),
                             heartbeat_timeout=timedelta(seconds=4))
    override = JobOverride(maximum_attempts=2, start_to_close_timeout=timedelta(seconds=90))
    options = resolve_job_options(definition, overrides={"opts": override})
    policy = options.retry_policy
    assert policy.maximum_attempts == 2
    assert policy.initial_interval == timedelta(seconds=2)  # kept from the job type
    assert policy.backoff_coefficient == 3.0
    assert policy.maximum_interval == timedelta(seconds=30)
    assert policy.non_retryable_error_types == ("BadInput",)
    assert options.start_to_close_timeout == timedelta(seconds=90)
    assert options.heartbeat_timeout == timedelta(seconds=4)  # None in the override: kept


def test_ops_override_applies_over_the_global_default_too() -> None:
    options = resolve_job_options(_definition(), overrides={
        "opts": JobOverride(initial_interval=timedelta(milliseconds=10))})
    assert options.retry_policy.initial_interval == timedelta(milliseconds=10)
    assert options.retry_policy.maximum_attempts == DEFAULT_RETRY_POLICY.maximum_attempts


def test_ops_override_for_another_job_type_is_ignored() -> None:
    options = resolve_job_options(_definition(retry_policy=JOB_TYPE_POLICY), overrides={
        "other": JobOverride(maximum_attempts=1)})
    assert options.retry_policy.maximum_attempts == 7


@pytest.mark.parametrize("call", [
    RetryPolicy(maximum_attempts=1),
    RetryPolicySpec(maximum_attempts=1),
])
def test_call_beats_ops_and_job_type_and_replaces_the_whole_policy(call: Any) -> None:
    definition = _definition(retry_policy=JOB_TYPE_POLICY)
    options = resolve_job_options(definition, call_retry_policy=call,
                                  overrides={"opts": JobOverride(maximum_attempts=2,
                                                                 backoff_coefficient=5.0)})
    assert options.retry_policy.maximum_attempts == 1
    assert options.retry_policy.backoff_coefficient == 2.0  # the call's (default), not ops'
    assert options.retry_policy.non_retryable_error_types == ()  # not the job type's


@pytest.mark.parametrize("call", [UNSET, None])
def test_unset_and_none_from_the_call_fall_through(call: Any) -> None:
    definition = _definition(retry_policy=JOB_TYPE_POLICY)
    override = {"opts": JobOverride(maximum_attempts=2)}
    options = resolve_job_options(definition, call_retry_policy=call, overrides=override)
    assert options.retry_policy.maximum_attempts == 2
    assert options.retry_policy.initial_interval == timedelta(seconds=2)


def test_resolved_options_survive_a_json_round_trip() -> None:
    definition = _definition(retry_policy=JOB_TYPE_POLICY,
                             schedule_to_close_timeout=timedelta(minutes=3))
    options = resolve_job_options(definition)
    again = type(options).model_validate_json(options.model_dump_json(by_alias=True))
    assert again == options


@pytest.mark.parametrize("field", ["startToCloseTimeout", "scheduleToCloseTimeout",
                                   "heartbeatTimeout", "initialInterval", "maximumInterval"])
def test_a_zero_duration_in_an_override_is_refused_not_ignored(field: str) -> None:
    """Temporal reads 0 as "not set": accepted, it would silently keep the job type's value."""
    with pytest.raises(ValueError) as refused:
        JobOverride.model_validate({field: "0s"})
    assert field in str(refused.value)
    assert "must be more than 0" in str(refused.value)
