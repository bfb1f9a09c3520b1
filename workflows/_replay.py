"""Replaying recorded `StartJob` histories against the current workflow code.

Before a deploy, replay recent histories: a nondeterministic change to `StartJob` shows up here
instead of breaking running jobs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from ._converter import job_data_converter
from ._workflow import StartJob

__all__ = ["ReplayOutcome", "load_history_file", "replay_histories"]


@dataclass(frozen=True)
class ReplayOutcome:
    workflow_id: str
    ok: bool
    error: str | None = None


def load_history_file(path: Path, workflow_id: str | None = None) -> WorkflowHistory:
    """A history saved as JSON (`temporal workflow show --output json`, or the UI's download)."""
    return WorkflowHistory.from_json(workflow_id or path.stem, path.read_text(encoding="utf-8"))


async def replay_histories(
    histories: Iterable[WorkflowHistory], *, workflows: Iterable[type] = (StartJob,)
) -> list[ReplayOutcome]:
    """Replay each history; never raises for a replay failure, reports it instead."""
    replayer = Replayer(workflows=list(workflows), data_converter=job_data_converter())
    outcomes = []
    for history in histories:
        result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
        error = result.replay_failure
        outcomes.append(
            ReplayOutcome(
                workflow_id=history.workflow_id,
                ok=error is None,
                error=None if error is None else f"{type(error).__name__}: {error}",
            )
        )
    return outcomes
