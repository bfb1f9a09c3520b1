"""`report-generator`: writes a real report file (HTML or CSV) for one user.

The report lists that user's records from the data-sync store, so the two examples make a small
pipeline: sync records, then report on them.
"""

from __future__ import annotations

import csv
import html
import io
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from temporalio.common import RetryPolicy

from .._context import JobContext
from .._definition import job
from ._storage import artifacts_dir
from .data_sync import stored_records

__all__ = ["ReportResult", "ReportSettings", "generate_report"]


class ReportSettings(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    user_id: int = Field(alias="userId", ge=0)
    action: str = Field(min_length=1, max_length=100)
    format: Literal["html", "csv"] = "html"


class ReportResult(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    url: str
    path: str
    rows: int


@job(
    "report-generator",
    retry_policy=RetryPolicy(maximum_attempts=5, initial_interval=timedelta(seconds=1)),
    start_to_close_timeout=timedelta(minutes=2),
)
def generate_report(settings: ReportSettings, ctx: JobContext) -> ReportResult:
    """Render the user's records to a file and return its file:// URL."""
    ctx.progress(0.1, "collecting records")
    records = stored_records(settings.user_id)
    ctx.progress(0.5, "rendering")
    body = _render_csv(records) if settings.format == "csv" else _render_html(settings, records)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    name = f"user-{settings.user_id}-{_slug(settings.action)}-{stamp}.{settings.format}"
    path = artifacts_dir("reports") / name
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(path)  # readers never see a half-written report
    ctx.progress(1.0, "written")
    return ReportResult(url=path.as_uri(), path=str(path), rows=len(records))


def _render_csv(records: list[dict[str, object]]) -> str:
    columns = sorted({key for record in records for key in record}) or ["recordId"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue()


def _render_html(settings: ReportSettings, records: list[dict[str, object]]) -> str:
    columns = sorted({key for record in records for key in record}) or ["recordId"]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(r.get(c, '')))}</td>" for c in columns) + "</tr>"
        for r in records
    )
    title = html.escape(f"{settings.action} for user {settings.user_id}")
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1><p>{len(records)} records</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></body></html>\n"
    )


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")[:40] or "report"
