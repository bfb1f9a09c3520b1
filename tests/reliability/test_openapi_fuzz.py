"""schemathesis against the bridge's own OpenAPI document, served live by a bridge subprocess
(with its worker) on the session's dev server: whatever schemathesis sends, no 5xx, and every
answer that is not 2xx is a Result body (`success: false`) with one of the contract's codes."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from node_bridge import ErrorCode
from tests.reliability import _procs

CODES = {code.value for code in ErrorCode}
EXAMPLES = 40  # per operation and mode: about 500 requests in all


@pytest.fixture(scope="module")
def bridge_url(temporal_address: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A bridge subprocess (synchronous fixture: schemathesis' tests are not async, so the
    bridge cannot live in the session's event loop). Waits are short: fuzzed job ids and
    waitSeconds never keep a request long."""
    log = tmp_path_factory.mktemp("openapi") / "bridge.log"
    args = [sys.executable, "-m", "node_bridge.bridge", "--port", "0",
            "--task-queue", f"tq-openapi-{os.getpid()}"]
    for module in _procs.JOB_MODULES:
        args += ["--jobs", module]
    env = _procs.subprocess_env(TEMPORAL_ADDRESS=temporal_address,
                                STARTJOB_BRIDGE_WAIT_SECONDS="2",
                                STARTJOB_BRIDGE_MAX_WAIT_SECONDS="3")
    with log.open("ab") as err:
        process = subprocess.Popen(args, cwd=_procs.REPO_ROOT, env=env, stdout=subprocess.PIPE,
                                   stderr=err, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        yield _ready_url(process, log)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _ready_url(process: subprocess.Popen[bytes], log: Path) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + _procs.START_TIMEOUT
    while time.monotonic() < deadline:
        readable, _, _ = select.select([process.stdout], [], [], 1.0)
        if not readable:
            continue
        line = process.stdout.readline()
        if not line:
            break
        match = _procs.BRIDGE_READY.search(line)
        if match:
            return match.group(1).decode()
    raise AssertionError(f"the bridge did not get ready; see {log}")


def _check(case: Any) -> None:
    response = case.call(timeout=30)
    assert response.status_code < 500, (case.as_curl_command(), response.text)
    if 200 <= response.status_code < 300:
        return
    body = response.json()
    assert body.get("success") is False, (case.as_curl_command(), body)
    assert body["error"]["code"] in CODES, (case.as_curl_command(), body)
    assert isinstance(body["error"]["message"], str), body


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                         ids=["positive", "negative"])
def test_bridge_answers_every_request_without_5xx_and_with_a_result(
    bridge_url: str, mode: GenerationMode
) -> None:
    # schemathesis' pytest plugin does not run under pytest 9 yet (it reads a private
    # attribute); its Python API drives the same generation, one Hypothesis run per operation.
    schema = schemathesis.openapi.from_url(f"{bridge_url}/openapi.json")
    schema.config.update(base_url=bridge_url)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6
    skipped: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def fuzz(case: Any) -> None:
            _check(case)

        try:
            fuzz()
        except Unsatisfiable:
            # No invalid request exists for it (e.g. GET /healthz takes no input).
            assert mode is GenerationMode.NEGATIVE, operation.label
            skipped.append(operation.label)
    assert len(skipped) < len(operations)
