"""Ops commands: `ls`, `retry`, `cancel`, `replay`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from temporalio.client import WorkflowHistory

from workflows import (
    DEFAULT_UI_URL,
    STATUS_NAMES,
    JobSummary,
    RetryRefused,
    build_query,
    list_jobs,
    load_history_file,
    parse_duration,
    replay_histories,
    retry_job,
    ui_link,
)

from ._cli_common import app, client_config, connect, err, fail, out, run_until_signal

__all__ = ["cancel", "ls", "replay", "retry"]

TypeOption = Annotated[str | None, typer.Option("--type", help="Only this job type.")]
SinceOption = Annotated[str | None, typer.Option(help="Only jobs started within, e.g. 1h, 1d.")]
QueryOption = Annotated[str | None, typer.Option(help="A raw Temporal visibility query.")]
UiOption = Annotated[str, typer.Option("--ui-url", envvar="STARTJOB_UI_URL",
                                       help="Temporal Web UI base URL for links.")]
LimitOption = Annotated[int, typer.Option(help="At most this many jobs.", min=1)]


def _query(job_type: str | None, status: str | None, since: str | None, raw: str | None) -> str:
    try:
        return build_query(job_type=job_type, status=status,
                           since=parse_duration(since) if since else None, raw=raw)
    except ValueError as exc:
        raise fail(str(exc)) from None


@app.command()
def ls(
    job_type: TypeOption = None,
    status: Annotated[str | None, typer.Option(
        help=f"One of: {', '.join(STATUS_NAMES)}.")] = None,
    since: SinceOption = None,
    query: QueryOption = None,
    limit: LimitOption = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ui_url: UiOption = DEFAULT_UI_URL,
) -> None:
    """List jobs, newest first, with a Temporal UI link each."""
    visibility_query = _query(job_type, status, since, query)

    async def go() -> tuple[list[JobSummary], str]:
        client = await connect(client_config(None))
        return await list_jobs(client.temporal_client, visibility_query, limit=limit), \
            client.temporal_client.namespace

    jobs, namespace = run_until_signal(go)
    if as_json:
        out.print_json(json.dumps([job.to_json(ui_url, namespace) for job in jobs]))
        return
    table = Table("job id", "type", "item", "status", "started", "link", title=visibility_query)
    for job in jobs:
        table.add_row(job.workflow_id, job.job_type or "?", str(job.item_index),
                      job.status.lower(), job.start_time.strftime("%Y-%m-%d %H:%M:%S"),
                      ui_link(ui_url, namespace, job.workflow_id, job.run_id))
    out.print(table)
    err.print(f"{len(jobs)} job(s)")


@app.command()
def retry(
    workflow_ids: Annotated[list[str] | None, typer.Argument(help="Job ids to retry.")] = None,
    job_type: TypeOption = None,
    since: SinceOption = None,
    query: QueryOption = None,
    limit: LimitOption = 100,
    reason: Annotated[str, typer.Option(help="Recorded in the history.")] = "startjob retry",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only show what would run.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    force: Annotated[bool, typer.Option(help="Also retry running or completed jobs.")] = False,
) -> None:
    """Re-run failed jobs from the start (a Temporal reset: the job id stays)."""
    if not workflow_ids and not (job_type or since or query):
        raise fail("name job ids, or select failed jobs with --type / --since / --query")

    async def go() -> int:
        client = await connect(client_config(None))
        temporal = client.temporal_client
        ids = list(workflow_ids or [])
        if not ids:
            selected = await list_jobs(temporal, _query(job_type, "failed", since, query),
                                       limit=limit)
            ids = [job.workflow_id for job in selected]
        if not ids:
            err.print("no failed jobs match")
            return 0
        if dry_run:
            for workflow_id in ids:
                out.print(f"would retry {workflow_id}")
            return 0
        if not yes and not typer.confirm(f"Retry {len(ids)} job(s)?", err=True):
            return 1
        refused = 0
        for workflow_id in ids:
            try:
                run_id = await retry_job(temporal, workflow_id, reason=reason, force=force)
                out.print(f"retried {workflow_id} (new run {run_id})")
            except RetryRefused as exc:
                refused += 1
                err.print(f"skipped: {exc}")
            except Exception as exc:  # one bad id must not stop the batch
                refused += 1
                err.print(f"[red]failed[/] {workflow_id}: {exc}")
        return 1 if refused and refused == len(ids) else 0

    raise typer.Exit(run_until_signal(go))


@app.command()
def cancel(
    workflow_ids: Annotated[list[str], typer.Argument(help="Job ids to cancel.")],
    reason: Annotated[str | None, typer.Option(help="Why (logged).")] = None,
) -> None:
    """Request cancellation; a heartbeating job stops and its caller gets CANCELLED."""

    async def go() -> int:
        client = await connect(client_config(None))
        failures = 0
        for workflow_id in workflow_ids:
            try:
                await client.cancel_job(workflow_id, reason=reason)
                out.print(f"cancel requested: {workflow_id}")
            except Exception as exc:
                failures += 1
                err.print(f"[red]failed[/] {workflow_id}: {exc}")
        return 1 if failures else 0

    raise typer.Exit(run_until_signal(go))


@app.command()
def replay(
    files: Annotated[list[Path] | None, typer.Option("--file", help="History JSON file.")] = None,
    since: SinceOption = None,
    query: QueryOption = None,
    limit: LimitOption = 100,
) -> None:
    """Replay histories against the current StartJob code; exit 1 if any is nondeterministic."""
    if not files and not since and not query:
        raise fail("give --file HISTORY.json, or --since / --query to replay from the server")

    async def go() -> list[Any]:
        histories: list[WorkflowHistory] = []
        for path in files or []:
            try:
                histories.append(load_history_file(path))
            except (OSError, ValueError) as exc:
                raise fail(f"--file {path}: {exc}") from None
        if since or query:
            client = await connect(client_config(None))
            temporal = client.temporal_client
            selected = temporal.list_workflows(_query(None, None, since, query), limit=limit)
            async for history in selected.map_histories():
                histories.append(history)
        return await replay_histories(histories)

    outcomes = run_until_signal(go)
    for outcome in outcomes:
        if outcome.ok:
            out.print(f"[green]ok[/]   {outcome.workflow_id}")
        else:
            out.print(f"[red]FAIL[/] {outcome.workflow_id}: {outcome.error}")
    bad = sum(1 for o in outcomes if not o.ok)
    err.print(f"{len(outcomes)} replayed, {bad} nondeterministic")
    raise typer.Exit(1 if bad or not outcomes else 0)
