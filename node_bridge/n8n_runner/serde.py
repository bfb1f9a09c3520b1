"""The wire format of n8n's task-runner protocol: JSON text ⇄ the models in `messages.py`.

    message = parse_broker_message(text)      # MessageError names the type when it is wrong
    text = dump_message(RunnerTaskAccepted(task_id="t1"))

The only place that knows wire names: field `task_id` travels as `taskId` (one alias
generator, `to_camel`), and only the message's own fields are renamed, never the payloads
inside them (`settings`, `data`, `error` keep the user's keys exactly).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from pydantic.alias_generators import to_camel
from pydantic_core import to_jsonable_python

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
    RunnerTaskDone,
    RunnerTaskError,
    RunnerTaskOffer,
    RunnerTaskRejected,
)

__all__ = ["MessageError", "dump_message", "parse_broker_message", "parse_runner_message"]

_BROKER = (BrokerInfoRequest, BrokerRunnerRegistered, BrokerTaskOfferAccept, BrokerTaskSettings,
           BrokerTaskCancel, BrokerTaskDataResponse, BrokerDrain)
_RUNNER = (RunnerInfo, RunnerTaskOffer, RunnerTaskAccepted, RunnerTaskRejected,
           RunnerTaskDataRequest, RunnerTaskDone, RunnerTaskError)
_BY_TYPE: dict[str, type[BaseModel]] = {cls.model_fields["type"].default: cls
                                        for cls in (*_BROKER, *_RUNNER)}

_ADAPTER: TypeAdapter[Any] = TypeAdapter(
    Annotated[BrokerMessage | RunnerMessage, Field(discriminator="type")]
)


class MessageError(ValueError):
    """A message that is not JSON, has no known `type`, or misses fields; says which."""

    def __init__(self, message_type: str | None, problem: str) -> None:
        self.message_type = message_type
        super().__init__(f"bad {message_type or 'untyped'} message: {problem}")


def parse_broker_message(raw: str | bytes) -> BrokerMessage:
    """Parse what the broker sent; `MessageError` for runner-side or unknown types."""
    message = _parse(raw)
    if not isinstance(message, _BROKER):
        raise MessageError(message.type, "a runner message, not one a broker sends")
    return message


def parse_runner_message(raw: str | bytes) -> RunnerMessage:
    """Parse what a runner sent (the fake broker in the tests uses this)."""
    message = _parse(raw)
    if not isinstance(message, _RUNNER):
        raise MessageError(message.type, "a broker message, not one a runner sends")
    return message


def dump_message(message: BrokerMessage | RunnerMessage) -> str:
    """The message as wire JSON text."""
    return json.dumps(_to_wire(message), ensure_ascii=False, separators=(",", ":"))


def _parse(raw: str | bytes) -> Any:
    try:
        data = json.loads(raw)
    except ValueError as err:
        raise MessageError(None, f"not JSON ({err})") from None
    if not isinstance(data, dict):
        raise MessageError(None, f"expected a JSON object, got {type(data).__name__}")
    message_type = data.get("type")
    cls = _BY_TYPE.get(message_type) if isinstance(message_type, str) else None
    if cls is None:
        raise MessageError(str(message_type) if message_type else None, "unknown message type")
    try:
        return _ADAPTER.validate_python(_from_wire(cls, data))
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(to_camel(str(p)) for p in e['loc'][1:]) or 'message'}: {e['msg']}"
            for e in err.errors()
        )
        raise MessageError(message_type, problems) from None


def _to_wire(model: BaseModel) -> dict[str, Any]:
    """Rename the model's own fields (recursively through nested models), leave payloads be."""
    return {
        to_camel(name): (_to_wire(value) if isinstance(value, BaseModel)
                         else to_jsonable_python(value))
        for name in type(model).model_fields
        for value in (getattr(model, name),)
    }


def _from_wire(cls: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """Wire keys → field names for `cls`'s fields; unknown keys are dropped (n8n may add
    fields in later versions); nested models are renamed with their own fields."""
    out: dict[str, Any] = {}
    for name, field in cls.model_fields.items():
        wire = to_camel(name)
        if wire not in data:
            continue
        value = data[wire]
        nested = field.annotation
        if isinstance(nested, type) and issubclass(nested, BaseModel) and isinstance(value, dict):
            value = _from_wire(nested, value)
        out[name] = value
    return out
