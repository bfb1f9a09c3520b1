"""`JobClient`: starts jobs on Temporal and turns every outcome into a `Result`.

    client = await JobClient.connect()
    result = await client.start_job("report-generator", {"userId": 1, "action": "x"}, 0)

Connection settings come from `temporalio.envconfig` (env vars and profiles), so TLS and API
keys work for self-hosted clusters and Temporal Cloud with no code here.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, NamedTuple

from temporalio import common
from temporalio.client import Client, WorkflowHandle
from temporalio.exceptions import WorkflowAlreadyStartedError

from activities import JobRegistry, default_registry
from workflows import (
    SA_EXECUTION_ID,
    SA_ITEM_INDEX,
    SA_JOB_TYPE,
    SA_NODE_NAME,
    UNSET,
    EncryptionConfigError,
    JobOverride,
    StartJob,
    StartJobInput,
    is_served_in_process,
    job_summary,
    with_job_data_converter,
)

from ._codes import ErrorCode
from ._config import ConfigurationError, JobClientConfig
from ._connect import DEFAULT_TEMPORAL_ADDRESS, client_connect_options
from ._inspect import (
    attempts_from_history,
    has_pollers,
    job_identity,
    job_state,
    pending_progress,
)
from ._overrides import OverridesSource, check_overrides
from ._prepare import LaunchRefused, PreparedJob, check_names, prepare_job
from ._result import Failure, JobError, Success
from ._status import JobStatus
from ._telemetry import JobSpan, current_trace_id, job_span, with_tracing
from ._translate import ErrorContext, job_error, job_error_from_exception

__all__ = ["DEFAULT_TEMPORAL_ADDRESS", "JobClient", "job_workflow_id"]

_UNAVAILABLE_FIRST_PAUSE = 0.5  # seconds before asking again for a result Temporal could not give
_UNAVAILABLE_MAX_PAUSE = 5.0


class _Launched(NamedTuple):
    """A started job, as `_await_result` takes it."""

    handle: WorkflowHandle[Any, Any]
    context: ErrorContext
    wait_seconds: float
    queue: str


def job_workflow_id(job_type: str, idempotency_key: str | None = None) -> str:
    """`job/{jobType}/{idempotencyKey}`, or a fresh uuid when there is no key."""
    return f"job/{job_type}/{idempotency_key if idempotency_key else uuid.uuid4()}"


class JobClient:
    """Starts and follows jobs. Cheap to share: one per process is enough.

    Args:
        client: A connected `temporalio` client (its payload converter becomes pydantic's).
        config: Task queue, limits and waits; `JobClientConfig.from_env()` when omitted.
        registry: Where job types are looked up (the `@job` registry by default).
        overrides: Ops overrides of retry policy and timeouts, by job type; by default
            `startjob.toml` / `STARTJOB_CONFIG` and `STARTJOB_JOB_OVERRIDES`, reread on change.
        tracing: Add Temporal's OpenTelemetry `TracingInterceptor` (a no-op until an SDK is
            installed, e.g. by `startjob.telemetry.init_telemetry`).
    """

    def __init__(
        self,
        client: Client,
        *,
        config: JobClientConfig | None = None,
        registry: JobRegistry | None = None,
        overrides: Mapping[str, JobOverride] | None = None,
        tracing: bool = True,
    ) -> None:
        try:
            converted = with_job_data_converter(client)
        except EncryptionConfigError as err:
            raise ConfigurationError(str(err)) from None
        self._client = with_tracing(converted) if tracing else converted
        self.config = config or JobClientConfig.from_env()
        self.registry = default_registry if registry is None else registry
        self.overrides: Mapping[str, JobOverride] = (
            OverridesSource() if overrides is None else dict(overrides)
        )
        check_overrides(self.overrides, self.registry)

    @classmethod
    async def connect(
        cls,
        target_host: str | None = None,
        *,
        namespace: str | None = None,
        profile: str | None = None,
        config: JobClientConfig | None = None,
        registry: JobRegistry | None = None,
        overrides: Mapping[str, JobOverride] | None = None,
        tracing: bool = True,
        **connect_options: Any,
    ) -> JobClient:
        """Connect using `TEMPORAL_*` env vars and profiles; arguments given here win.

        Raises `RuntimeError` when the server cannot be reached (use `startjob.start_job`,
        which turns that into an UNAVAILABLE Result, if you want no exceptions at all), and
        `ConfigurationError` when the encryption keys are invalid.
        """
        options = client_connect_options(target_host, namespace=namespace, profile=profile,
                                         **connect_options)
        client = await Client.connect(**options)
        return cls(client, config=config, registry=registry, overrides=overrides,
                   tracing=tracing)

    @property
    def temporal_client(self) -> Client:
        return self._client

    # ========== Starting and awaiting ==========

    async def start_job(
        self,
        job_type: str,
        settings: Any,
        item_index: int = 0,
        *,
        idempotency_key: str | None = None,
        execution_id: str | None = None,
        node_name: str | None = None,
        retry_policy: Any = None,
        wait_timeout: timedelta | float | None = None,
        task_queue: str | None = None,
    ) -> Success | Failure:
        """Launch the job and wait for it; every outcome is a `Result`, never an exception.

        Args:
            idempotency_key: The same key (per job type) runs the job once; later calls attach.
            execution_id, node_name: The caller's (n8n's) names, stored as search attributes.
            retry_policy: A `RetryPolicy` for this call only (beats ops and job-type defaults).
            wait_timeout: How long to wait (`timedelta` or seconds); then TIMEOUT, and the job
                goes on under its workflowId.
            task_queue: Overrides the job type's and the client's task queue.
        """
        with job_span(_printable(job_type), _int_or_zero(item_index), idempotency_key) as span:
            launched = await self._launch(
                span, job_type, settings, item_index, idempotency_key=idempotency_key,
                execution_id=execution_id, node_name=node_name, retry_policy=retry_policy,
                wait_timeout=wait_timeout, task_queue=task_queue,
            )
            del settings  # not kept alive for the whole wait (docs/performance.md)
            if isinstance(launched, Failure):
                return span.finish(launched)
            return span.finish(await self._await_result(*launched))

    async def _launch(
        self,
        span: JobSpan,
        job_type: str,
        settings: Any,
        item_index: int,
        *,
        idempotency_key: str | None,
        execution_id: str | None,
        node_name: str | None,
        retry_policy: Any,
        wait_timeout: timedelta | float | None,
        task_queue: str | None,
    ) -> _Launched | Failure:
        """Check, resolve and start; a refusal or a failed start is the `Failure` to answer.

        Kept apart from the wait so that what launching needed (the validated settings, the
        resolved options) is garbage by the time the caller waits: the bridge holds one
        waiting call per open request (docs/performance.md)."""
        context = ErrorContext(job_type=_printable(job_type),
                               item_index=_int_or_zero(item_index), trace_id=span.trace_id)
        try:
            prepared = prepare_job(
                job_type, settings, item_index, registry=self.registry,
                max_settings_bytes=self.config.max_settings_bytes,
                retry_policy=retry_policy if retry_policy is not None else UNSET,
                overrides=self.overrides,
            )
            timeout = _seconds(wait_timeout, self.config.default_wait_timeout)
            workflow_id = job_workflow_id(job_type, idempotency_key)
            check_names(workflow_id, execution_id=execution_id, node_name=node_name)
        except LaunchRefused as refused:
            return Failure(error=job_error(refused.code, refused.message, context,
                                           details=refused.details,
                                           error_type=refused.error_type))
        context = ErrorContext(job_type, item_index, workflow_id, None, context.trace_id)
        queue = task_queue or prepared.options.task_queue or self.config.task_queue
        try:
            handle = await self._start(prepared, workflow_id, queue, item_index,
                                       idempotency_key, execution_id, node_name)
        except Exception as err:
            return Failure(error=job_error_from_exception(err, context))
        span.launched(workflow_id, handle.result_run_id)
        context = ErrorContext(job_type, item_index, workflow_id, handle.result_run_id,
                               context.trace_id)
        return _Launched(handle, context, timeout, queue)

    async def wait_for_job(
        self, job_id: str, *, wait_timeout: timedelta | float | None = None
    ) -> Success | Failure:
        """Attach to a job by its id (workflow id) and wait for its Result."""
        description = await self._client.get_workflow_handle(job_id).describe(
            rpc_timeout=self.config.rpc_timeout)
        job_type, item_index = job_identity(description.typed_search_attributes, job_id)
        context = ErrorContext(job_type, item_index, job_id, description.run_id,
                               current_trace_id())
        handle: WorkflowHandle[Any, Any] = self._client.get_workflow_handle(job_id)
        timeout = _seconds(wait_timeout, self.config.default_wait_timeout)
        return await self._await_result(handle, context, timeout, description.task_queue)

    async def _start(
        self,
        prepared: PreparedJob,
        workflow_id: str,
        queue: str,
        item_index: int,
        idempotency_key: str | None,
        execution_id: str | None,
        node_name: str | None,
    ) -> WorkflowHandle[Any, Any]:
        job_type = prepared.definition.name
        attributes: list[common.SearchAttributePair[Any]] = [
            common.SearchAttributePair(SA_JOB_TYPE, job_type),
            common.SearchAttributePair(SA_ITEM_INDEX, item_index),
        ]
        if execution_id:
            attributes.append(common.SearchAttributePair(SA_EXECUTION_ID, execution_id))
        if node_name:
            attributes.append(common.SearchAttributePair(SA_NODE_NAME, node_name))
        keys = sorted(prepared.settings) if isinstance(prepared.settings, dict) else []
        details = f"**settings keys:** {', '.join(keys) or '(none)'}"
        try:
            return await self._client.start_workflow(
                StartJob.run,
                StartJobInput(
                    job_type=job_type, settings=prepared.settings, item_index=item_index,
                    execution_id=execution_id, node_name=node_name, options=prepared.options,
                ),
                id=workflow_id,
                task_queue=queue,
                id_conflict_policy=common.WorkflowIDConflictPolicy.USE_EXISTING,
                id_reuse_policy=(
                    common.WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY
                    if idempotency_key else common.WorkflowIDReusePolicy.ALLOW_DUPLICATE
                ),
                search_attributes=common.TypedSearchAttributes(attributes),
                static_summary=job_summary(job_type, item_index),
                static_details=details,
                request_eager_start=is_served_in_process(self._client, queue),
                rpc_timeout=self.config.rpc_timeout,
            )
        except WorkflowAlreadyStartedError as started:
            # Completed earlier under the same idempotency key: attach to that run's result.
            return self._client.get_workflow_handle(workflow_id, run_id=started.run_id)

    async def _await_result(
        self,
        handle: WorkflowHandle[Any, Any],
        context: ErrorContext,
        wait_seconds: float,
        queue: str,
    ) -> Success | Failure:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_seconds
        pause = _UNAVAILABLE_FIRST_PAUSE
        while True:
            try:
                # A timeout scope, not `wait_for`: no extra task per waiting caller (the bridge
                # holds one of these per open request, docs/performance.md).
                async with asyncio.timeout_at(deadline):
                    data = await handle.result()
            except TimeoutError:
                return Failure(error=await self._wait_timed_out(context, wait_seconds, queue))
            except asyncio.CancelledError:
                raise  # the caller gave up; the job goes on
            except Exception as err:
                error = job_error_from_exception(err, context)
                if error.code is ErrorCode.UNAVAILABLE and loop.time() + pause < deadline:
                    # Temporal is down (a restart, a network blip) but the job is durable:
                    # keep waiting within the caller's wait rather than answer UNAVAILABLE.
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, _UNAVAILABLE_MAX_PAUSE)
                    continue
                if error.attempts == 0 and error.code in (ErrorCode.JOB_FAILED,
                                                          ErrorCode.TIMEOUT,
                                                          ErrorCode.CANCELLED):
                    error.attempts = await attempts_from_history(handle, self.config.rpc_timeout)
                return Failure(error=error)
            return Success(data=data)

    async def _wait_timed_out(self, context: ErrorContext, waited: float,
                              queue: str) -> JobError:
        if not await has_pollers(self._client, queue, self.config.rpc_timeout):
            message = (
                f"no worker polls task queue {queue!r}: the job waits there until one does "
                f"(start one with `startjob worker --task-queue {queue}`); stopped waiting "
                f"after {waited:g}s"
            )
        else:
            message = (
                f"still running after the {waited:g}s wait; the job goes on: attach again "
                f"with its workflowId {context.workflow_id!r}"
            )
        return job_error(ErrorCode.TIMEOUT, message, context, retryable=True,
                         error_type="WaitTimeout")

    # ========== Following and cancelling ==========

    async def get_job(self, job_id: str) -> JobStatus:
        """The job's state, progress and, once it ended, its Result. Raises `RPCError` when
        there is no such job (NOT_FOUND) or Temporal cannot be reached."""
        handle = self._client.get_workflow_handle(job_id)
        description = await handle.describe(rpc_timeout=self.config.rpc_timeout)
        job_type, item_index = job_identity(description.typed_search_attributes, job_id)
        state = job_state(description)
        status = JobStatus(job_id=job_id, run_id=description.run_id, job_type=job_type,
                           item_index=item_index, status=state)
        if state == "RUNNING":
            status.attempt, status.progress = await pending_progress(self._client, description)
            return status
        context = ErrorContext(job_type, item_index, job_id, description.run_id,
                               current_trace_id())
        status.result = await self._await_result(handle, context, 30.0,
                                                 description.task_queue)
        return status

    async def cancel_job(self, job_id: str, *, reason: str | None = None) -> None:
        """Request cancellation; the waiting caller gets CANCELLED once the job stops."""
        handle = self._client.get_workflow_handle(job_id)
        await handle.cancel(reason=reason or "", rpc_timeout=self.config.rpc_timeout)

def _seconds(value: timedelta | float | None, default: timedelta) -> float:
    if value is None:
        return default.total_seconds()
    try:
        seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    except (TypeError, ValueError):
        seconds = float("nan")
    if not seconds > 0:
        raise LaunchRefused(ErrorCode.INVALID_SETTINGS,
                            f"wait_timeout must be a positive duration, got {value!r}",
                            error_type="ValidationError")
    return seconds


def _printable(job_type: Any) -> str:
    return job_type if isinstance(job_type, str) else repr(job_type)[:200]


def _int_or_zero(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
