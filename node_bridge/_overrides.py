"""Ops overrides of retry policies and timeouts, per job type, without a deploy.

Read from `startjob.toml` (path from `STARTJOB_CONFIG`, else `./startjob.toml` if present) and
from `STARTJOB_JOB_OVERRIDES` (JSON, wins field by field)::

    [jobs.report-generator]
    maximumAttempts = 10        # or maximum_attempts
    initialInterval = "2s"
    startToCloseTimeout = "5m"

The file is read again when it changes, so a new policy applies to the next launch. A bad file
is an error at start-up naming the key; a bad edit later is logged and the last good one kept.
"""

from __future__ import annotations

import json
import logging
import os
import time
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from activities import JobRegistry
from workflows import JobOverride

from ._config import ConfigurationError

__all__ = [
    "DEFAULT_CONFIG_FILE",
    "ENV_CONFIG",
    "ENV_JOB_OVERRIDES",
    "OverridesSource",
    "check_overrides",
    "load_overrides",
]

ENV_CONFIG = "STARTJOB_CONFIG"
ENV_JOB_OVERRIDES = "STARTJOB_JOB_OVERRIDES"
DEFAULT_CONFIG_FILE = Path("startjob.toml")
RELOAD_CHECK_INTERVAL = 1.0  # seconds between looks at the file's modification time

logger = logging.getLogger("startjob.config")


class _OpsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    jobs: dict[str, JobOverride] = {}


def config_path(environ: Mapping[str, str] | None = None) -> Path | None:
    """The ops config file in force: `STARTJOB_CONFIG`, else `./startjob.toml` if it exists."""
    env = os.environ if environ is None else environ
    named = env.get(ENV_CONFIG)
    if named:
        path = Path(named)
        if not path.is_file():
            raise ConfigurationError(f"{ENV_CONFIG}={named}: no such file")
        return path
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def load_overrides(
    environ: Mapping[str, str] | None = None, *, path: Path | None = None
) -> dict[str, JobOverride]:
    """The overrides from the file and the environment; `ConfigurationError` names bad keys."""
    env = os.environ if environ is None else environ
    path = path if path is not None else config_path(env)
    merged: dict[str, dict[str, Any]] = {}
    if path is not None:
        for job_type, override in _parse_file(path).items():
            merged[job_type] = override.model_dump(exclude_none=True)
    raw_env = env.get(ENV_JOB_OVERRIDES)
    if raw_env:
        for job_type, fields in _parse_env(raw_env).items():
            merged.setdefault(job_type, {}).update(fields)
    return {name: JobOverride.model_validate(fields) for name, fields in merged.items()}


def check_overrides(overrides: Mapping[str, JobOverride], registry: JobRegistry) -> None:
    """An override for a job type nobody registered is a typo until proven otherwise."""
    unknown = sorted(name for name in overrides if name not in registry)
    if unknown:
        raise ConfigurationError(
            f"ops overrides name unknown job types: {', '.join(unknown)} "
            f"(known: {', '.join(registry.names()) or 'none'}); fix [jobs.<name>] in the "
            f"config file or {ENV_JOB_OVERRIDES}"
        )


def _parse_file(path: Path) -> dict[str, JobOverride]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigurationError(f"{path}: cannot read it as TOML: {err}") from None
    try:
        return _OpsFile.model_validate(data).jobs
    except ValidationError as err:
        raise ConfigurationError(f"{path}: {_describe(err)}") from None


def _parse_env(raw: str) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(raw)
        jobs = _OpsFile.model_validate({"jobs": data}).jobs
    except json.JSONDecodeError as err:
        raise ConfigurationError(f"{ENV_JOB_OVERRIDES} is not JSON: {err}") from None
    except ValidationError as err:
        raise ConfigurationError(f"{ENV_JOB_OVERRIDES}: {_describe(err)}") from None
    return {name: o.model_dump(exclude_none=True) for name, o in jobs.items()}


def _describe(err: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors(include_url=False)
    )


class OverridesSource(Mapping[str, JobOverride]):
    """A live view of the overrides that rereads the file when it changes."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = dict(os.environ if environ is None else environ)
        self._path = config_path(self._environ)
        self._current = load_overrides(self._environ, path=self._path)
        self._mtime = self._stat()
        self._checked = time.monotonic()

    @property
    def path(self) -> Path | None:
        return self._path

    def _stat(self) -> float | None:
        try:
            return self._path.stat().st_mtime if self._path is not None else None
        except OSError:
            return None

    def _fresh(self) -> dict[str, JobOverride]:
        now = time.monotonic()
        if self._path is None or now - self._checked < RELOAD_CHECK_INTERVAL:
            return self._current
        self._checked = now
        mtime = self._stat()
        if mtime != self._mtime:
            self._mtime = mtime
            try:
                self._current = load_overrides(self._environ, path=self._path)
                logger.info("reloaded ops overrides from %s", self._path)
            except ConfigurationError as err:
                logger.error("kept the previous ops overrides: %s", err)
        return self._current

    def __getitem__(self, key: str) -> JobOverride:
        return self._fresh()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fresh())

    def __len__(self) -> int:
        return len(self._fresh())
