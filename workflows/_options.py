"""Resolving a job's retry policy and timeouts at launch.

Precedence, highest first: the call's `retry_policy`, the ops override for the job type (partial:
only the fields it names), the job type's `@job` default, the global default. The result is
stored in the workflow input, so the history records exactly what ran and the workflow itself
never needs the registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from enum import Enum
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field
from temporalio.common import RetryPolicy

from activities import JobDefinition

from ._durations import PositiveDuration

__all__ = [
    "DEFAULT_RETRY_POLICY",
    "DEFAULT_START_TO_CLOSE_TIMEOUT",
    "UNSET",
    "JobOptions",
    "JobOverride",
    "RetryPolicySpec",
    "resolve_job_options",
]


class _Unset(Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset.UNSET
"""Means "not given: fall through to the next source". Unlike `None`, which for a timeout means
"no limit", `UNSET` never overrides anything."""
Unset = Literal[_Unset.UNSET]

RETRY_FIELDS = (
    "initial_interval",
    "backoff_coefficient",
    "maximum_interval",
    "maximum_attempts",
    "non_retryable_error_types",
)

DEFAULT_START_TO_CLOSE_TIMEOUT = timedelta(minutes=10)
"""One attempt's limit when the job type names none."""


class RetryPolicySpec(BaseModel):
    """A Temporal retry policy as plain data (workflow input, config files, JSON Schema)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="forbid")

    initial_interval: timedelta = Field(default=timedelta(seconds=1), alias="initialInterval")
    backoff_coefficient: float = Field(default=2.0, ge=1.0, alias="backoffCoefficient")
    maximum_interval: timedelta | None = Field(default=None, alias="maximumInterval")
    maximum_attempts: int = Field(default=0, ge=0, alias="maximumAttempts")
    """0 means unlimited, as in Temporal."""
    non_retryable_error_types: tuple[str, ...] = Field(
        default=(), alias="nonRetryableErrorTypes"
    )

    @classmethod
    def from_temporal(cls, policy: RetryPolicy) -> RetryPolicySpec:
        return cls(
            initial_interval=policy.initial_interval,
            backoff_coefficient=policy.backoff_coefficient,
            maximum_interval=policy.maximum_interval,
            maximum_attempts=policy.maximum_attempts,
            non_retryable_error_types=tuple(policy.non_retryable_error_types or ()),
        )

    def to_temporal(self) -> RetryPolicy:
        return RetryPolicy(
            initial_interval=self.initial_interval,
            backoff_coefficient=self.backoff_coefficient,
            maximum_interval=self.maximum_interval,
            maximum_attempts=self.maximum_attempts,
            non_retryable_error_types=list(self.non_retryable_error_types) or None,
        )


DEFAULT_RETRY_POLICY = RetryPolicySpec(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
    maximum_attempts=3,
)
"""Used when neither call, ops nor job type say otherwise. Bounded, unlike Temporal's own
default (unlimited attempts), because a node is waiting for the answer."""


class JobOverride(BaseModel):
    """What ops may change per job type without a deploy (`startjob.toml`, env). Every field
    is optional; a field left out keeps the job type's value. Durations take `30s`, `5m`, ...
    and must be more than 0: Temporal reads a zero duration as "not set", which here would
    silently keep the job type's value."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="forbid")

    initial_interval: PositiveDuration | None = Field(default=None, alias="initialInterval")
    backoff_coefficient: float | None = Field(default=None, ge=1.0, alias="backoffCoefficient")
    maximum_interval: PositiveDuration | None = Field(default=None, alias="maximumInterval")
    maximum_attempts: int | None = Field(default=None, ge=0, alias="maximumAttempts")
    non_retryable_error_types: tuple[str, ...] | None = Field(
        default=None, alias="nonRetryableErrorTypes"
    )
    start_to_close_timeout: PositiveDuration | None = Field(default=None,
                                                            alias="startToCloseTimeout")
    schedule_to_close_timeout: PositiveDuration | None = Field(
        default=None, alias="scheduleToCloseTimeout"
    )
    heartbeat_timeout: PositiveDuration | None = Field(default=None, alias="heartbeatTimeout")

    def retry_changes(self) -> dict[str, Any]:
        """The retry-policy fields this override sets."""
        values = {name: getattr(self, name) for name in RETRY_FIELDS}
        return {name: value for name, value in values.items() if value is not None}


class JobOptions(BaseModel):
    """The resolved options one job runs with."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    retry_policy: RetryPolicySpec = Field(alias="retryPolicy")
    start_to_close_timeout: timedelta | None = Field(alias="startToCloseTimeout")
    schedule_to_close_timeout: timedelta | None = Field(default=None,
                                                        alias="scheduleToCloseTimeout")
    heartbeat_timeout: timedelta | None = Field(default=None, alias="heartbeatTimeout")
    local: bool = False
    task_queue: str | None = Field(default=None, alias="taskQueue")


def _given(override: timedelta | None, current: timedelta | None) -> timedelta | None:
    return current if override is None else override


def resolve_job_options(
    definition: JobDefinition,
    *,
    call_retry_policy: RetryPolicy | RetryPolicySpec | Unset | None = UNSET,
    overrides: Mapping[str, JobOverride] | None = None,
    default_retry_policy: RetryPolicySpec = DEFAULT_RETRY_POLICY,
) -> JobOptions:
    """The options `definition` runs with, by the precedence in the module docstring."""
    policy = default_retry_policy
    if definition.retry_policy is not None:
        policy = RetryPolicySpec.from_temporal(definition.retry_policy)
    start_to_close = definition.start_to_close_timeout
    schedule_to_close = definition.schedule_to_close_timeout
    heartbeat = definition.heartbeat_timeout

    override = (overrides or {}).get(definition.name)
    if override is not None:
        policy = policy.model_copy(update=override.retry_changes())
        start_to_close = _given(override.start_to_close_timeout, start_to_close)
        schedule_to_close = _given(override.schedule_to_close_timeout, schedule_to_close)
        heartbeat = _given(override.heartbeat_timeout, heartbeat)

    if isinstance(call_retry_policy, RetryPolicy):
        policy = RetryPolicySpec.from_temporal(call_retry_policy)
    elif isinstance(call_retry_policy, RetryPolicySpec):
        policy = call_retry_policy

    if start_to_close is None and schedule_to_close is None:
        start_to_close = DEFAULT_START_TO_CLOSE_TIMEOUT
    return JobOptions(
        retry_policy=policy,
        start_to_close_timeout=start_to_close,
        schedule_to_close_timeout=schedule_to_close,
        heartbeat_timeout=heartbeat,
        local=definition.local,
        task_queue=definition.task_queue,
    )
