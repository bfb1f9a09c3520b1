"""The `@job` decorator and the registry of job types.

A job type is a plain function whose first parameter is its settings (a pydantic model, or
`dict`/`Any` for untyped jobs) and whose second is a `JobContext`. Decorating it with `@job`
records its defaults (retry policy, timeouts, local or not, task queue) under a unique name,
which is also the name of the Temporal activity that runs it.
"""

from __future__ import annotations

import contextlib
import inspect
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter
from temporalio.common import RetryPolicy

__all__ = [
    "DuplicateJobTypeError",
    "JobDefinition",
    "JobRegistry",
    "default_registry",
    "job",
]

JobFunction = Callable[..., Any]
F = TypeVar("F", bound=JobFunction)


class DuplicateJobTypeError(ValueError):
    """Raised at import time when two functions claim the same job type name."""

    def __init__(self, name: str, existing: JobFunction, new: JobFunction) -> None:
        super().__init__(
            f"job type {name!r} is registered twice: by {_qualified_name(existing)} "
            f"and by {_qualified_name(new)}; give one of them another name"
        )
        self.name = name


@dataclass(frozen=True)
class JobDefinition:
    """Everything startjob knows about one job type.

    `retry_policy` and the timeouts are the job type's *defaults*; a caller or ops config may
    override them at launch (see `workflows.resolve_job_options`).
    """

    name: str
    function: JobFunction
    settings_type: Any
    result_type: Any
    retry_policy: RetryPolicy | None = None
    start_to_close_timeout: timedelta | None = None
    schedule_to_close_timeout: timedelta | None = None
    heartbeat_timeout: timedelta | None = None
    local: bool = False
    task_queue: str | None = None
    description: str = ""
    is_async: bool = field(default=False)

    @property
    def settings_adapter(self) -> TypeAdapter[Any]:
        return _adapter(self.settings_type)

    @property
    def result_adapter(self) -> TypeAdapter[Any]:
        return _adapter(self.result_type)

    def settings_json_schema(self) -> dict[str, Any]:
        return self.settings_adapter.json_schema(by_alias=True)

    def result_json_schema(self) -> dict[str, Any]:
        try:
            return self.result_adapter.json_schema(by_alias=True)
        except Exception:  # an exotic return annotation must not break listing job types
            return {}


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def _adapter(tp: Any) -> TypeAdapter[Any]:
    # TypeAdapter construction is costly; job types are few and live for the process.
    try:
        return _ADAPTERS[tp]
    except (KeyError, TypeError):
        adapter: TypeAdapter[Any] = TypeAdapter(tp)
        with contextlib.suppress(TypeError):  # unhashable annotations are simply not cached
            _ADAPTERS[tp] = adapter
        return adapter


class JobRegistry:
    """Job types by name. One process-wide instance (`default_registry`) backs `@job`."""

    def __init__(self) -> None:
        self._jobs: dict[str, JobDefinition] = {}

    def add(self, definition: JobDefinition) -> None:
        existing = self._jobs.get(definition.name)
        # The same function imported twice (a module reloaded) is not a duplicate.
        if existing is not None and _qualified_name(existing.function) != _qualified_name(
            definition.function
        ):
            raise DuplicateJobTypeError(definition.name, existing.function, definition.function)
        self._jobs[definition.name] = definition

    def get(self, name: str) -> JobDefinition | None:
        return self._jobs.get(name)

    def names(self) -> list[str]:
        return sorted(self._jobs)

    def __contains__(self, name: object) -> bool:
        return name in self._jobs

    def __iter__(self) -> Iterator[JobDefinition]:
        return iter(sorted(self._jobs.values(), key=lambda d: d.name))

    def __len__(self) -> int:
        return len(self._jobs)

    def as_mapping(self) -> Mapping[str, JobDefinition]:
        return dict(self._jobs)


default_registry = JobRegistry()
"""The registry `@job` writes to unless given another one."""


def job(
    name: str,
    *,
    retry_policy: RetryPolicy | None = None,
    start_to_close_timeout: timedelta | None = None,
    schedule_to_close_timeout: timedelta | None = None,
    heartbeat_timeout: timedelta | None = None,
    local: bool = False,
    task_queue: str | None = None,
    registry: JobRegistry | None = None,
) -> Callable[[F], F]:
    """Declare a job type.

    Args:
        name: The job type, as callers pass it to `start_job`; also the activity name.
        retry_policy: Default retry policy; `None` uses startjob's global default.
        start_to_close_timeout: Limit for one attempt; `None` uses the global default.
        schedule_to_close_timeout: Limit for all attempts together; `None` means no limit.
        heartbeat_timeout: An attempt that reports no progress for this long is retried.
        local: Run as a Temporal local activity: for short jobs, it saves round trips.
        task_queue: Run on this task queue instead of the client's default.
        registry: Register here instead of the process-wide registry (tests).

    The function stays callable as before; `@job` only records it.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError("@job needs a non-empty job type name, e.g. @job('report-generator')")

    def decorate(function: F) -> F:
        definition = build_definition(
            name,
            function,
            retry_policy=retry_policy,
            start_to_close_timeout=start_to_close_timeout,
            schedule_to_close_timeout=schedule_to_close_timeout,
            heartbeat_timeout=heartbeat_timeout,
            local=local,
            task_queue=task_queue,
        )
        (default_registry if registry is None else registry).add(definition)
        function.__startjob_definition__ = definition  # type: ignore[attr-defined]
        return function

    return decorate


def build_definition(name: str, function: JobFunction, **options: Any) -> JobDefinition:
    """Read the settings and result types from the function's annotations."""
    signature = inspect.signature(function)
    params = list(signature.parameters.values())
    if not params:
        raise TypeError(
            f"job {name!r}: {_qualified_name(function)} must take the settings as its first "
            "parameter (and optionally a JobContext as its second)"
        )
    try:
        hints = typing.get_type_hints(function)
    except Exception:  # unresolvable forward refs: treat as untyped rather than refuse
        hints = {}
    settings_type = hints.get(params[0].name, Any)
    if settings_type is dict:
        settings_type = dict[str, Any]
    result_type = hints.get("return", Any)
    return JobDefinition(
        name=name,
        function=function,
        settings_type=settings_type,
        result_type=result_type,
        description=inspect.getdoc(function) or "",
        is_async=inspect.iscoroutinefunction(function),
        **options,
    )


def definition_of(function: JobFunction) -> JobDefinition:
    """The definition `@job` attached to `function`; a clear error if it has none."""
    definition = getattr(function, "__startjob_definition__", None)
    if not isinstance(definition, JobDefinition):
        raise TypeError(
            f"{_qualified_name(function)} is not a job type: decorate it with @job('name')"
        )
    return definition


def settings_is_model(definition: JobDefinition) -> bool:
    tp = definition.settings_type
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _qualified_name(function: JobFunction) -> str:
    module = getattr(function, "__module__", "?")
    qualname = getattr(function, "__qualname__", repr(function))
    return f"{module}.{qualname}"
