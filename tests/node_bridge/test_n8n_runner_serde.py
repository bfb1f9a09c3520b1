"""The wire format: every message type round-trips, wire names are camelCase, payloads keep
their keys, and bad messages raise a `MessageError` that names the type."""

from __future__ import annotations

import json

import pytest

from node_bridge.n8n_runner import MessageError
from node_bridge.n8n_runner.messages import (
    BrokerDrain,
    BrokerInfoRequest,
    BrokerRunnerRegistered,
    BrokerTaskCancel,
    BrokerTaskDataResponse,
    BrokerTaskOfferAccept,
    BrokerTaskSettings,
    RunnerInfo,
    RunnerTaskAccepted,
    RunnerTaskDataRequest,
    RunnerTaskDone,
    RunnerTaskError,
    RunnerTaskOffer,
    RunnerTaskRejected,
)
from node_bridge.n8n_runner.serde import (
    dump_message,
    parse_broker_message,
    parse_runner_message,
)

BROKER_MESSAGES = [
    BrokerInfoRequest(),
    BrokerRunnerRegistered(),
    BrokerTaskOfferAccept(task_id="t1", offer_id="o1"),
    BrokerTaskSettings(task_id="t1", settings={"user_id": 1, "nested": {"snake_key": [1]}}),
    BrokerTaskCancel(task_id="t1", reason="Task execution timed out"),
    BrokerTaskDataResponse(task_id="t1", request_id="r1",
                           data={"itemIndex": 3, "additionalData": {"executionId": "9"}}),
    BrokerDrain(),
]
RUNNER_MESSAGES = [
    RunnerInfo(name="startjob", types=("echo", "report-generator")),
    RunnerTaskOffer(offer_id="o1", task_type="echo", valid_for=5200),
    RunnerTaskAccepted(task_id="t1"),
    RunnerTaskRejected(task_id="t1", reason="at capacity"),
    RunnerTaskDataRequest(task_id="t1", request_id="r1"),
    RunnerTaskDone(task_id="t1", data={"result": {"some_key": 1}}),
    RunnerTaskError(task_id="t1", error={"code": "JOB_FAILED", "jobType": "x"}),
]


@pytest.mark.parametrize("message", BROKER_MESSAGES, ids=lambda m: m.type)
def test_broker_messages_round_trip(message: object) -> None:
    assert parse_broker_message(dump_message(message)) == message  # type: ignore[arg-type]


@pytest.mark.parametrize("message", RUNNER_MESSAGES, ids=lambda m: m.type)
def test_runner_messages_round_trip(message: object) -> None:
    assert parse_runner_message(dump_message(message)) == message  # type: ignore[arg-type]


def test_wire_names_are_n8ns() -> None:
    assert json.loads(dump_message(RunnerTaskOffer(offer_id="o", task_type="echo",
                                                   valid_for=5000))) == {
        "type": "runner:taskoffer", "offerId": "o", "taskType": "echo", "validFor": 5000}
    assert json.loads(dump_message(RunnerTaskDataRequest(task_id="t", request_id="r"))) == {
        "type": "runner:taskdatarequest", "taskId": "t", "requestId": "r",
        "requestParams": {"dataOfNodes": [], "prevNode": False, "input": {"include": False},
                          "env": False},
    }


def test_payloads_keep_their_keys() -> None:
    text = '{"type":"broker:tasksettings","taskId":"t","settings":{"user_id":1,"userId":2}}'
    message = parse_broker_message(text)
    assert isinstance(message, BrokerTaskSettings)
    assert message.settings == {"user_id": 1, "userId": 2}
    done = json.loads(dump_message(RunnerTaskDone(task_id="t", data={"result": {"a_b": 1}})))
    assert done["data"] == {"result": {"a_b": 1}}


def test_fields_n8n_may_add_later_are_ignored() -> None:
    message = parse_broker_message('{"type":"broker:drain","since":"2.9"}')
    assert message == BrokerDrain()


@pytest.mark.parametrize(("raw", "names"), [
    ("not json", "untyped"),
    ("[1, 2]", "untyped"),
    ('{"type": "broker:rpcresponse", "callId": "c"}', "broker:rpcresponse"),
    ('{"type": "broker:taskofferaccept", "taskId": "t1"}', "broker:taskofferaccept"),
    ('{"type": "runner:taskaccepted", "taskId": "t1"}', "runner:taskaccepted"),
])
def test_bad_messages_name_their_type(raw: str, names: str) -> None:
    with pytest.raises(MessageError, match=names) as caught:
        parse_broker_message(raw)
    if names == "broker:taskofferaccept":
        assert "offerId" in str(caught.value)
