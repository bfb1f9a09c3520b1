"""Where the example job types keep what they make: one folder, from the environment.

`STARTJOB_ARTIFACTS_DIR` (default `.startjob/artifacts`) holds reports and thumbnails;
`STARTJOB_DATA_SYNC_DB` (default `.startjob/data-sync.sqlite3`) is the data-sync store.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["ENV_ARTIFACTS_DIR", "ENV_DATA_SYNC_DB", "artifacts_dir", "data_sync_db_path"]

ENV_ARTIFACTS_DIR = "STARTJOB_ARTIFACTS_DIR"
ENV_DATA_SYNC_DB = "STARTJOB_DATA_SYNC_DB"
DEFAULT_STATE_DIR = Path(".startjob")


def artifacts_dir(kind: str) -> Path:
    """The folder for one kind of artifact, created on first use."""
    root = Path(os.environ.get(ENV_ARTIFACTS_DIR) or DEFAULT_STATE_DIR / "artifacts")
    folder = (root / kind).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def data_sync_db_path() -> Path:
    path = Path(os.environ.get(ENV_DATA_SYNC_DB) or DEFAULT_STATE_DIR / "data-sync.sqlite3")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.resolve()
