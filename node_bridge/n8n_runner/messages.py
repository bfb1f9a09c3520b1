"""The messages of n8n's task-runner protocol, as plain typed data (no logic, no JSON).

Field names are snake_case here; `serde.py` alone knows the wire names (camelCase, and the
`type` strings). One discriminated union per direction:

* `BrokerMessage`: what n8n's task broker sends this runner.
* `RunnerMessage`: what this runner sends the broker.

Only the messages a job runner needs are modelled; n8n's RPC and node-types messages (used by
its Code-node runners) are not, and arrive as an unknown type, which the runner logs and skips.
Source of truth: `@n8n/task-runner` `dist/message-types.d.ts` in the pinned n8n.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "BrokerDrain",
    "BrokerInfoRequest",
    "BrokerMessage",
    "BrokerRunnerRegistered",
    "BrokerTaskCancel",
    "BrokerTaskDataResponse",
    "BrokerTaskOfferAccept",
    "BrokerTaskSettings",
    "RunnerInfo",
    "RunnerMessage",
    "RunnerTaskAccepted",
    "RunnerTaskDataRequest",
    "RunnerTaskDone",
    "RunnerTaskError",
    "RunnerTaskOffer",
    "RunnerTaskRejected",
    "TaskDataRequestParams",
    "TaskInputRequest",
]


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ========== Broker → runner ==========


class BrokerInfoRequest(_Message):
    """Sent right after the websocket opens: "who are you and what do you run?"."""

    type: Literal["broker:inforequest"] = "broker:inforequest"


class BrokerRunnerRegistered(_Message):
    """The broker accepted `runner:info`; offers may start."""

    type: Literal["broker:runnerregistered"] = "broker:runnerregistered"


class BrokerTaskOfferAccept(_Message):
    """A requester wants a task of an offered type: answer within 2 s (accepted/rejected)."""

    type: Literal["broker:taskofferaccept"] = "broker:taskofferaccept"
    task_id: str
    offer_id: str


class BrokerTaskSettings(_Message):
    """The task's input: for `this.startJob(jobType, settings, i)` it is `settings`."""

    type: Literal["broker:tasksettings"] = "broker:tasksettings"
    task_id: str
    settings: Any = None


class BrokerTaskCancel(_Message):
    """n8n gave up on the task (task timeout, execution cancelled)."""

    type: Literal["broker:taskcancel"] = "broker:taskcancel"
    task_id: str
    reason: str = ""


class BrokerTaskDataResponse(_Message):
    """The answer to `runner:taskdatarequest`: the node's execution context."""

    type: Literal["broker:taskdataresponse"] = "broker:taskdataresponse"
    task_id: str
    request_id: str
    data: Any = None


class BrokerDrain(_Message):
    """n8n is shutting down: stop offering, finish what is running."""

    type: Literal["broker:drain"] = "broker:drain"


BrokerMessage = Annotated[
    BrokerInfoRequest | BrokerRunnerRegistered | BrokerTaskOfferAccept | BrokerTaskSettings
    | BrokerTaskCancel | BrokerTaskDataResponse | BrokerDrain,
    Field(discriminator="type"),
]


# ========== Runner → broker ==========


class RunnerInfo(_Message):
    type: Literal["runner:info"] = "runner:info"
    name: str
    types: tuple[str, ...]


class RunnerTaskOffer(_Message):
    """An open offer to run one task of `task_type`, for `valid_for` milliseconds."""

    type: Literal["runner:taskoffer"] = "runner:taskoffer"
    offer_id: str
    task_type: str
    valid_for: int


class RunnerTaskAccepted(_Message):
    type: Literal["runner:taskaccepted"] = "runner:taskaccepted"
    task_id: str


class RunnerTaskRejected(_Message):
    type: Literal["runner:taskrejected"] = "runner:taskrejected"
    task_id: str
    reason: str


class TaskInputRequest(_Message):
    include: bool = False


class TaskDataRequestParams(_Message):
    """Which parts of the execution context to send. The runner needs none of the node data,
    only the identifiers that come with every response (execution id, node, item index)."""

    data_of_nodes: tuple[str, ...] | Literal["all"] = ()
    prev_node: bool = False
    input: TaskInputRequest = TaskInputRequest()
    env: bool = False


class RunnerTaskDataRequest(_Message):
    type: Literal["runner:taskdatarequest"] = "runner:taskdatarequest"
    task_id: str
    request_id: str
    request_params: TaskDataRequestParams = TaskDataRequestParams()


class RunnerTaskDone(_Message):
    """`data` is n8n's `TaskResultData`: `{"result": ...}`; the node receives
    `{ok: true, result}`."""

    type: Literal["runner:taskdone"] = "runner:taskdone"
    task_id: str
    data: dict[str, Any]


class RunnerTaskError(_Message):
    """`error` reaches the node unchanged as `{ok: false, error}`: here a JobError's JSON."""

    type: Literal["runner:taskerror"] = "runner:taskerror"
    task_id: str
    error: Any


RunnerMessage = Annotated[
    RunnerInfo | RunnerTaskOffer | RunnerTaskAccepted | RunnerTaskRejected
    | RunnerTaskDataRequest | RunnerTaskDone | RunnerTaskError,
    Field(discriminator="type"),
]
