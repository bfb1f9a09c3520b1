"""Replay: the recorded `StartJob` histories in tests/histories/ (regenerate them with
`python -m tests.fixtures.record_histories`) replay cleanly against the current workflow, and a
nondeterministic change to the workflow is reported, not raised."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows import StartJobInput, load_history_file, replay_histories

RECORDED = ("start_job_success", "start_job_failed", "start_job_local_success")


@workflow.defn(name="StartJob")
class TimerFirstStartJob:
    """A deliberately incompatible `StartJob`: it sleeps before scheduling the activity."""

    @workflow.run
    async def run(self, input: StartJobInput) -> Any:
        await workflow.sleep(timedelta(seconds=1))
        return await workflow.execute_activity(
            input.job_type, input.settings, start_to_close_timeout=timedelta(seconds=10))


def _histories() -> list[Any]:
    # Not at module level: the workflow sandbox re-imports this module and forbids Path.resolve.
    folder = Path(__file__).resolve().parents[1] / "histories"
    paths = [folder / f"{stem}.json" for stem in RECORDED]
    missing = [p.name for p in paths if not p.exists()]
    assert not missing, f"missing {missing}: run python -m tests.fixtures.record_histories"
    return [load_history_file(path) for path in paths]


def test_recorded_histories_cover_success_and_failure() -> None:
    histories = _histories()
    last_events = [h.events[-1].event_type for h in histories]
    # EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED = 2, EVENT_TYPE_WORKFLOW_EXECUTION_FAILED = 3
    assert sorted(last_events) == [2, 2, 3]
    assert {h.workflow_id for h in histories} == set(RECORDED)


async def test_recorded_histories_replay_against_the_current_workflow() -> None:
    outcomes = await replay_histories(_histories())
    assert [(o.workflow_id, o.ok, o.error) for o in outcomes] == [
        (stem, True, None) for stem in RECORDED
    ]


async def test_an_incompatible_workflow_change_is_reported() -> None:
    outcomes = await replay_histories(_histories(), workflows=[TimerFirstStartJob])
    assert len(outcomes) == len(RECORDED)
    for outcome in outcomes:
        assert outcome.ok is False
        assert outcome.error
        assert "nondetermin" in outcome.error.lower(), outcome.error
