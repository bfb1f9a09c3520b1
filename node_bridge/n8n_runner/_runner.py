"""The runner: one websocket to n8n's task broker, each accepted task a startjob job.

    await run_n8n_runner(N8nRunnerConfig.from_env(), client=await JobClient.connect())

Per connection: authenticate (`POST /runners/auth` → grant), open `/runners/_ws?id=<id>`,
answer `broker:inforequest` with the job types, then keep offers open. An accepted task asks
n8n for its context (item index, node, execution id), runs `JobClient.start_job`, and answers
`runner:taskdone {result: data}` or `runner:taskerror {error: <JobError JSON>}`, so the node
gets `{ok: true, result}` or `{ok: false, error}`. When the broker goes away the runner
reconnects with backoff; the jobs themselves live on in Temporal and a retry of the node
attaches to them through the idempotency key.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from .._client import JobClient
from .._config import ConfigurationError
from ._auth import BrokerUnavailable, request_grant
from ._config import N8nRunnerConfig
from ._context import TaskContext
from ._offers import OfferBook
from ._tasks import RunningTask, cancel_task_job, offered_types, run_task_job
from .messages import (
    BrokerDrain,
    BrokerInfoRequest,
    BrokerMessage,
    BrokerRunnerRegistered,
    BrokerTaskCancel,
    BrokerTaskDataResponse,
    BrokerTaskOfferAccept,
    BrokerTaskSettings,
    RunnerInfo,
    RunnerMessage,
    RunnerTaskAccepted,
    RunnerTaskDataRequest,
    RunnerTaskRejected,
)
from .serde import MessageError, dump_message, parse_broker_message

__all__ = ["N8nRunner"]

log = logging.getLogger("node_bridge.n8n_runner")

OFFER_INTERVAL = 0.25  # seconds between offer top-ups, as n8n's own runners
DATA_REQUEST_TIMEOUT = 10.0  # seconds to wait for the task's context before going without
RECONNECT_MIN = 0.2  # seconds; doubles per failed attempt up to config.reconnect_max
MAX_MESSAGE_BYTES = 256 * 1024 * 1024  # task data carries the workflow; allow big ones


class N8nRunner:
    """One runner process's state; `run()` connects, serves and reconnects until `stop`.

    Args:
        config: Broker, token, concurrency, task types and timeouts.
        client: Starts the jobs (its registry validates settings before launch).
        stop: Set it to shut down gracefully (stop offering, let running tasks finish).
    """

    def __init__(self, config: N8nRunnerConfig, client: JobClient,
                 stop: asyncio.Event | None = None) -> None:
        config.require_token()
        self.config = config
        self.client = client
        self.stop = stop or asyncio.Event()
        self.types = offered_types(config, client)
        self.registered = asyncio.Event()
        """Set while the broker has this runner registered (tests wait on it)."""
        self._grant = config.grant_token
        self._ws: ClientConnection | None = None
        self._offers = OfferBook(self.types, config.offer_valid_for.total_seconds())
        self._tasks: dict[str, RunningTask] = {}
        self._data_requests: dict[str, asyncio.Future[Any]] = {}
        self._draining = False

    # ========== Connection ==========

    async def run(self) -> None:
        """Serve until `stop` is set; broker outages are retried with backoff."""
        delay = RECONNECT_MIN
        while not self.stop.is_set():
            try:
                await self._serve_once()
                delay = RECONNECT_MIN
            except (BrokerUnavailable, OSError, ConnectionClosed, InvalidHandshake) as err:
                log.warning("n8n task broker at %s unavailable (%s); retrying in %.1fs",
                            self.config.broker_uri, err, delay)
            finally:
                self.registered.clear()
                self._forget_connection()
            if self.stop.is_set():
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), delay)
            delay = min(delay * 2, self.config.reconnect_max.total_seconds())
        await self._finish_running_tasks()

    async def _serve_once(self) -> None:
        grant = await self._grant_token()
        runner_id = uuid.uuid4().hex
        uri = f"{self.config.ws_uri}/runners/_ws?id={runner_id}"
        try:
            ws = await connect(uri, additional_headers={"Authorization": f"Bearer {grant}"},
                               max_size=MAX_MESSAGE_BYTES, open_timeout=10)
        except InvalidURI as err:
            raise ConfigurationError(f"bad broker address {uri!r}: {err}") from err
        self._ws = ws
        self._draining = False
        log.info("connected to n8n task broker %s as runner %s", self.config.broker_uri,
                 runner_id)
        offers = asyncio.create_task(self._offer_loop(), name="n8n-offers")
        stopper = asyncio.create_task(self._close_on_stop(ws), name="n8n-stop")
        try:
            async for raw in ws:
                self._dispatch(raw)
        finally:
            offers.cancel()
            stopper.cancel()
            await asyncio.gather(offers, stopper, return_exceptions=True)
            await ws.close()
        if not self.stop.is_set():
            raise BrokerUnavailable(f"connection closed ({ws.close_code})")

    async def _grant_token(self) -> str:
        """A single-use grant: the launcher's one first, then `POST /runners/auth`."""
        if self._grant:
            grant, self._grant = self._grant, None
            return grant
        if not self.config.auth_token:
            raise ConfigurationError("the grant token was used up and no auth token is set "
                                     "to get another; set N8N_RUNNERS_AUTH_TOKEN")
        return await request_grant(self.config.broker_uri, self.config.auth_token)

    async def _close_on_stop(self, ws: ClientConnection) -> None:
        """On `stop`: stop offering, give running tasks their grace, then close."""
        await self.stop.wait()
        self._draining = True
        self._offers.clear()
        await self._finish_running_tasks()
        await ws.close()

    def _forget_connection(self) -> None:
        """The broker forgot this runner's offers and tasks; the jobs go on in Temporal."""
        self._ws = None
        self._offers.clear()
        for request in self._data_requests.values():
            request.cancel()
        self._data_requests.clear()
        for task in self._tasks.values():
            if task.job is not None:
                task.job.cancel()
        self._tasks.clear()

    async def _finish_running_tasks(self) -> None:
        jobs = [t.job for t in self._tasks.values() if t.job is not None]
        if not jobs:
            return
        log.info("waiting up to %gs for %d running task(s)",
                 self.config.shutdown_grace.total_seconds(), len(jobs))
        _, pending = await asyncio.wait(jobs, timeout=self.config.shutdown_grace.total_seconds())
        for job in pending:
            job.cancel()  # the job itself goes on in Temporal; a retry attaches to it

    async def _send(self, message: RunnerMessage) -> None:
        if self._ws is None:
            log.debug("not connected; dropped %s", message.type)
            return
        try:
            await self._ws.send(dump_message(message))
        except ConnectionClosed:
            log.debug("connection closed; dropped %s", message.type)

    # ========== Dispatch ==========

    def _dispatch(self, raw: str | bytes) -> None:
        try:
            message = parse_broker_message(raw)
        except MessageError as err:
            log.warning("ignored a message from the broker: %s", err)
            return
        try:
            self._handle(message)
        except Exception:
            log.exception("handling %s failed; going on", message.type)

    def _handle(self, message: BrokerMessage) -> None:
        match message:
            case BrokerInfoRequest():
                self._handle_info_request()
            case BrokerRunnerRegistered():
                self._handle_runner_registered()
            case BrokerTaskOfferAccept():
                self._handle_offer_accept(message)
            case BrokerTaskSettings():
                self._handle_task_settings(message)
            case BrokerTaskDataResponse():
                self._handle_data_response(message)
            case BrokerTaskCancel():
                self._handle_task_cancel(message)
            case BrokerDrain():
                self._handle_drain()

    def _spawn(self, message: RunnerMessage) -> None:
        asyncio.get_running_loop().create_task(self._send(message))

    def _handle_info_request(self) -> None:
        self._spawn(RunnerInfo(name=self.config.name, types=tuple(self.types)))

    def _handle_runner_registered(self) -> None:
        log.info("registered with n8n's task broker; offering %s", ", ".join(self.types))
        self.registered.set()

    def _handle_drain(self) -> None:
        log.info("broker is draining: no more offers; %d task(s) still running",
                 len(self._tasks))
        self._draining = True
        self._offers.clear()

    # ========== Offers ==========

    async def _offer_loop(self) -> None:
        while True:
            await self.registered.wait()
            if not self._draining and not self.stop.is_set():
                free = self.config.max_concurrency - len(self._tasks)
                for message in self._offers.top_up(free):
                    await self._send(message)
            await asyncio.sleep(OFFER_INTERVAL)

    def _handle_offer_accept(self, message: BrokerTaskOfferAccept) -> None:
        """Answered at once (the broker waits 2 s): accepted, or rejected with a reason."""
        task_type = self._offers.take(message.offer_id)
        if len(self._tasks) >= self.config.max_concurrency:
            reason = "No open task slots - runner already at capacity"
        elif task_type is None:
            reason = "Offer expired - not accepted within validity window"
        elif self._draining:
            reason = "Runner is draining"
        else:
            self._tasks[message.task_id] = RunningTask(message.task_id, task_type)
            self._spawn(RunnerTaskAccepted(task_id=message.task_id))
            return
        self._spawn(RunnerTaskRejected(task_id=message.task_id, reason=reason))

    # ========== Tasks ==========

    def _handle_task_settings(self, message: BrokerTaskSettings) -> None:
        task = self._tasks.get(message.task_id)
        if task is None or task.job is not None:
            log.warning("settings for unknown task %s ignored", message.task_id)
            return
        task.job = asyncio.get_running_loop().create_task(
            self._run_task(task, message.settings), name=f"n8n-task-{task.task_id}")

    def _handle_data_response(self, message: BrokerTaskDataResponse) -> None:
        request = self._data_requests.pop(message.request_id, None)
        if request is not None and not request.done():
            request.set_result(message.data)

    def _handle_task_cancel(self, message: BrokerTaskCancel) -> None:
        task = self._tasks.get(message.task_id)
        if task is None:
            return
        task.cancelled = True
        log.info("task %s of n8n execution %s cancelled by n8n (%s)", task.task_id,
                 task.context.execution_id, message.reason)
        if task.job is None:
            self._tasks.pop(task.task_id, None)  # still waiting for its settings
        else:
            task.job.cancel()

    async def _run_task(self, task: RunningTask, settings: Any) -> None:
        try:
            task.context = await self._task_context(task.task_id)
            answer = await run_task_job(self.client, self.config, task, settings)
        except asyncio.CancelledError:
            if task.cancelled:
                await cancel_task_job(self.client, task, "cancelled by n8n")
            raise
        finally:
            self._tasks.pop(task.task_id, None)
        await self._send(answer)

    async def _task_context(self, task_id: str) -> TaskContext:
        """Ask n8n for the task's context; without an answer the job runs without a key."""
        request_id = uuid.uuid4().hex
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._data_requests[request_id] = answer
        await self._send(RunnerTaskDataRequest(task_id=task_id, request_id=request_id))
        try:
            data = await asyncio.wait_for(answer, DATA_REQUEST_TIMEOUT)
        except TimeoutError:
            log.warning("task %s: no task data from n8n within %gs; running without its "
                        "execution id", task_id, DATA_REQUEST_TIMEOUT)
            return TaskContext()
        finally:
            self._data_requests.pop(request_id, None)
        return TaskContext.from_task_data(data)

