"""`startjob run` and `startjob job-types`."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from activities import default_registry
from node_bridge import ConfigurationError, ErrorCode, job_workflow_id, load_overrides
from workflows import resolve_job_options

from ._cli_common import (
    JobsOption,
    NoExamplesOption,
    TaskQueueOption,
    app,
    client_config,
    connect,
    err,
    fail,
    load_jobs,
    out,
    run_until_signal,
)
from ._progress import follow_progress

__all__ = ["job_types", "run"]


@app.command()
def run(
    job_type: Annotated[str, typer.Argument(help="The job type, e.g. echo.")],
    settings: Annotated[str, typer.Option(help="The settings as JSON, or @file.json.")] = "{}",
    item_index: Annotated[int, typer.Option(help="The item index.")] = 0,
    idempotency_key: Annotated[str | None, typer.Option(help="Run once per key.")] = None,
    wait: Annotated[float | None, typer.Option(help="Seconds to wait (default 300).")] = None,
    task_queue: TaskQueueOption = None,
    jobs: JobsOption = None,
    no_examples: NoExamplesOption = False,
) -> None:
    """Run one job and print its Result JSON; the exit code says how it went."""
    load_jobs(jobs, no_examples)
    parsed = _parse_settings(settings)
    config = client_config(task_queue)
    key = idempotency_key or uuid.uuid4().hex

    async def go() -> dict[str, Any]:
        client = await connect(config)
        job_id = job_workflow_id(job_type, key)
        launch = client.start_job(job_type, parsed, item_index, idempotency_key=key,
                                  wait_timeout=wait)
        result = await follow_progress(client, job_id, launch, err)
        return result.model_dump(mode="json", by_alias=True)

    payload = run_until_signal(go)
    out.print_json(json.dumps(payload))
    if not payload["success"]:
        raise typer.Exit(ErrorCode(payload["error"]["code"]).exit_code)


def _parse_settings(raw: str) -> Any:
    text = raw
    if raw.startswith("@"):
        try:
            text = Path(raw[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise fail(f"--settings {raw}: cannot read the file: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(f"--settings is not valid JSON ({exc.msg} at line {exc.lineno} column "
                   f"{exc.colno}); quote it for the shell, e.g. --settings "
                   "'{\"a\": 1}'") from None


@app.command("job-types")
def job_types(
    jobs: JobsOption = None,
    no_examples: NoExamplesOption = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the loaded job types with their retry policies and timeouts (ops overrides
    from startjob.toml / STARTJOB_JOB_OVERRIDES applied)."""
    load_jobs(jobs, no_examples)
    try:
        overrides = load_overrides()
    except ConfigurationError as exc:
        raise fail(str(exc)) from None
    rows: list[dict[str, Any]] = []
    for definition in default_registry:
        options = resolve_job_options(definition, overrides=overrides)
        rows.append({
            "jobType": definition.name,
            "local": options.local,
            "taskQueue": options.task_queue,
            "overridden": definition.name in overrides,
            "retryPolicy": options.retry_policy.model_dump(mode="json", by_alias=True),
            "startToCloseTimeout": _seconds(options.start_to_close_timeout),
            "heartbeatTimeout": _seconds(options.heartbeat_timeout),
            "description": (definition.description.splitlines() or [""])[0],
        })
    if as_json:
        out.print_json(json.dumps(rows))
        return
    table = Table("job type", "attempts", "first retry", "backoff", "timeout", "local", "ops")
    for row, definition in zip(rows, default_registry, strict=True):
        policy = resolve_job_options(definition, overrides=overrides).retry_policy
        table.add_row(row["jobType"], str(policy.maximum_attempts or "unlimited"),
                      f"{policy.initial_interval.total_seconds():g}s",
                      f"x{policy.backoff_coefficient:g}",
                      f"{row['startToCloseTimeout']:g}s" if row["startToCloseTimeout"] else "-",
                      "yes" if row["local"] else "", "override" if row["overridden"] else "")
    out.print(table)


def _seconds(value: Any) -> float | None:
    return None if value is None else float(value.total_seconds())
