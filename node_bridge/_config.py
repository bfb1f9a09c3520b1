"""Client-side settings, from the environment with `JobClientConfig.from_env()`.

Temporal's own connection settings (address, namespace, TLS, API key, profiles) are *not* here:
`temporalio.envconfig` reads them (`TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, ...).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field

from workflows import DEFAULT_TASK_QUEUE

__all__ = [
    "DEFAULT_MAX_SETTINGS_BYTES",
    "DEFAULT_RPC_TIMEOUT",
    "DEFAULT_WAIT_TIMEOUT",
    "ENV_MAX_SETTINGS_BYTES",
    "ENV_TASK_QUEUE",
    "ENV_WAIT_TIMEOUT",
    "ConfigurationError",
    "JobClientConfig",
    "read_float_env",
    "read_int_env",
]

ENV_TASK_QUEUE = "STARTJOB_TASK_QUEUE"
ENV_MAX_SETTINGS_BYTES = "STARTJOB_MAX_SETTINGS_BYTES"
ENV_WAIT_TIMEOUT = "STARTJOB_WAIT_TIMEOUT"  # seconds
ENV_RPC_TIMEOUT = "STARTJOB_RPC_TIMEOUT"  # seconds

DEFAULT_MAX_SETTINGS_BYTES = 512 * 1024  # bytes of JSON, as given
DEFAULT_WAIT_TIMEOUT = timedelta(minutes=5)
"""How long `start_job` waits for a job when the caller gives no `wait_timeout`; the job
itself goes on after that (the TIMEOUT error says how to attach again)."""
DEFAULT_RPC_TIMEOUT = timedelta(seconds=10)
"""Bound on each call to the Temporal server, so an unreachable server answers UNAVAILABLE."""


class ConfigurationError(ValueError):
    """A setting from the environment or a config file is invalid; the message names it."""


class JobClientConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    task_queue: str = Field(default=DEFAULT_TASK_QUEUE, min_length=1)
    max_settings_bytes: int = Field(default=DEFAULT_MAX_SETTINGS_BYTES, gt=0)
    default_wait_timeout: timedelta = DEFAULT_WAIT_TIMEOUT
    rpc_timeout: timedelta = DEFAULT_RPC_TIMEOUT

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> JobClientConfig:
        env = os.environ if environ is None else environ
        wait = read_float_env(env, ENV_WAIT_TIMEOUT, DEFAULT_WAIT_TIMEOUT.total_seconds())
        rpc = read_float_env(env, ENV_RPC_TIMEOUT, DEFAULT_RPC_TIMEOUT.total_seconds())
        return cls(
            task_queue=env.get(ENV_TASK_QUEUE) or DEFAULT_TASK_QUEUE,
            max_settings_bytes=read_int_env(env, ENV_MAX_SETTINGS_BYTES,
                                            DEFAULT_MAX_SETTINGS_BYTES),
            default_wait_timeout=timedelta(seconds=wait),
            rpc_timeout=timedelta(seconds=rpc),
        )


def read_int_env(env: Mapping[str, str], name: str, default: int, *, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ConfigurationError(f"{name}={value} must be at least {minimum}")
    return value


def read_float_env(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not a number of seconds") from None
    if not value > 0:
        raise ConfigurationError(f"{name}={raw} must be a positive number of seconds")
    return value
