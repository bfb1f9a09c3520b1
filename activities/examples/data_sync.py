"""`data-sync`: an idempotent upsert of one record into a local SQLite store.

Running the same settings twice leaves the version unchanged, so a retried or duplicated job
does no harm: the property every job type should aim for, since activities run at least once.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from temporalio.common import RetryPolicy

from .._context import JobContext
from .._definition import job
from ._storage import data_sync_db_path

__all__ = ["DataSyncResult", "DataSyncSettings", "data_sync"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    record_id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at TEXT NOT NULL
)
"""


class DataSyncSettings(BaseModel):
    """A record id plus any fields to store with it."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    record_id: str = Field(alias="recordId", min_length=1, max_length=200)


class DataSyncResult(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    record_id: str = Field(alias="recordId")
    version: int
    changed: bool


@job(
    "data-sync",
    retry_policy=RetryPolicy(maximum_attempts=5, initial_interval=timedelta(seconds=1)),
    start_to_close_timeout=timedelta(seconds=30),
)
def data_sync(settings: DataSyncSettings, ctx: JobContext) -> DataSyncResult:
    """Upsert the record; bump its version only when its data changed."""
    data = json.dumps(settings.model_extra or {}, sort_keys=True, separators=(",", ":"))
    with sqlite3.connect(data_sync_db_path(), timeout=30) as db:
        db.execute(_SCHEMA)
        db.execute("BEGIN IMMEDIATE")  # serialize concurrent upserts of the same record
        row = db.execute(
            "SELECT data, version FROM records WHERE record_id = ?", (settings.record_id,)
        ).fetchone()
        if row is not None and row[0] == data:
            return DataSyncResult(record_id=settings.record_id, version=row[1], changed=False)
        version = 1 if row is None else int(row[1]) + 1
        db.execute(
            "INSERT INTO records (record_id, data, version, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(record_id) DO UPDATE SET data = excluded.data, "
            "version = excluded.version, updated_at = excluded.updated_at",
            (settings.record_id, data, version, datetime.now(UTC).isoformat()),
        )
    ctx.progress(1.0, f"record {settings.record_id} at version {version}")
    return DataSyncResult(record_id=settings.record_id, version=version, changed=True)


def stored_records(user_id: int | None = None) -> list[dict[str, Any]]:
    """Records in the store (for reports), newest first; optionally only one user's."""
    path = data_sync_db_path()
    with sqlite3.connect(path, timeout=30) as db:
        db.execute(_SCHEMA)
        rows = db.execute(
            "SELECT record_id, data, version, updated_at FROM records ORDER BY updated_at DESC"
        ).fetchall()
    records = [
        {"recordId": r[0], "version": r[2], "updatedAt": r[3], **json.loads(r[1])} for r in rows
    ]
    if user_id is not None:
        records = [r for r in records if r.get("userId") == user_id]
    return records
