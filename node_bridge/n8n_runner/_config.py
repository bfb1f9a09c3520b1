"""`N8nRunnerConfig`: where n8n's task broker is, how to authenticate, what to offer.

    config = N8nRunnerConfig.from_env()

Names follow n8n's own runner launcher (`N8N_RUNNERS_*`), so the runner can be started by n8n's
launcher or by hand with the same environment; startjob's own choices use `STARTJOB_N8N_*`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from .._config import ConfigurationError, read_float_env, read_int_env

__all__ = [
    "DEFAULT_BROKER_URI",
    "DEFAULT_MAX_CONCURRENCY",
    "ENV_AUTH_TOKEN",
    "ENV_BROKER_URI",
    "ENV_GRANT_TOKEN",
    "ENV_MAX_CONCURRENCY",
    "ENV_RUNNER_NAME",
    "ENV_TASK_TIMEOUT",
    "ENV_TYPES",
    "N8nRunnerConfig",
]

ENV_BROKER_URI = "N8N_RUNNERS_TASK_BROKER_URI"
ENV_AUTH_TOKEN = "N8N_RUNNERS_AUTH_TOKEN"  # also N8N_RUNNERS_AUTH_TOKEN_FILE
ENV_GRANT_TOKEN = "N8N_RUNNERS_GRANT_TOKEN"  # handed over by n8n's launcher, single use
ENV_MAX_CONCURRENCY = "N8N_RUNNERS_MAX_CONCURRENCY"
ENV_TASK_TIMEOUT = "N8N_RUNNERS_TASK_TIMEOUT"  # seconds, the same variable n8n's broker reads
ENV_TYPES = "STARTJOB_N8N_TYPES"  # comma-separated job types; default: every registered one
ENV_RUNNER_NAME = "STARTJOB_N8N_RUNNER_NAME"
ENV_OFFER_VALID_FOR = "STARTJOB_N8N_OFFER_VALID_FOR"  # seconds

DEFAULT_BROKER_URI = "http://127.0.0.1:5679"
DEFAULT_MAX_CONCURRENCY = 5  # tasks (= running jobs) at once, as n8n's runners default
DEFAULT_TASK_TIMEOUT = timedelta(seconds=300)
"""n8n's own default. Past it the runner cancels the job's workflow: n8n's broker gives up on
the task then too, but in `internal` mode it does not tell an external runner (only `external`
mode sends `broker:taskcancel`), so the runner keeps the deadline itself, as n8n's runners do."""
DEFAULT_SHUTDOWN_GRACE = timedelta(seconds=10)
"""How long a graceful shutdown waits for running tasks before leaving them to Temporal."""
DEFAULT_RUNNER_NAME = "startjob"
DEFAULT_OFFER_VALID_FOR = timedelta(seconds=5)
"""How long an offer stays open; the runner re-offers before it lapses. n8n's JS runner uses
a few seconds too, so the broker's view of who is free stays fresh."""
DEFAULT_RECONNECT_MAX = timedelta(seconds=10)
"""Upper bound of the reconnect backoff (it starts at 0.2 s and doubles)."""


class N8nRunnerConfig(BaseModel):
    """Settings of one runner process. Either `auth_token` or `grant_token` is required.

    Args:
        broker_uri: The broker's HTTP base, e.g. `http://127.0.0.1:5679`.
        auth_token: n8n's `N8N_RUNNERS_AUTH_TOKEN`; exchanged for a grant on every connect.
        grant_token: A grant from n8n's launcher; good for one connection only, so reconnects
            need `auth_token` as well.
        max_concurrency: Tasks this runner holds at once; offers never exceed it.
        types: Job types to offer; `None` offers every job type registered in the client.
        offer_valid_for: Lifetime of each offer.
        task_timeout: n8n's task timeout; a job still running then is cancelled.
        shutdown_grace: How long stopping waits for running tasks.
        reconnect_max: The longest pause between reconnect attempts.
    """

    model_config = ConfigDict(frozen=True)

    broker_uri: str = DEFAULT_BROKER_URI
    auth_token: str | None = None
    grant_token: str | None = None
    max_concurrency: int = Field(default=DEFAULT_MAX_CONCURRENCY, gt=0)
    types: tuple[str, ...] | None = None
    name: str = DEFAULT_RUNNER_NAME
    offer_valid_for: timedelta = DEFAULT_OFFER_VALID_FOR
    task_timeout: timedelta = DEFAULT_TASK_TIMEOUT
    shutdown_grace: timedelta = DEFAULT_SHUTDOWN_GRACE
    reconnect_max: timedelta = DEFAULT_RECONNECT_MAX

    def require_token(self) -> None:
        """Raise `ConfigurationError` unless there is a way to authenticate."""
        if not self.auth_token and not self.grant_token:
            raise ConfigurationError(
                f"the n8n runner needs {ENV_AUTH_TOKEN} (or {ENV_AUTH_TOKEN}_FILE, or "
                f"{ENV_GRANT_TOKEN}): the token n8n's task broker was given"
            )

    @property
    def ws_uri(self) -> str:
        """The websocket base derived from `broker_uri` (http → ws, https → wss)."""
        base = self.broker_uri.rstrip("/")
        if base.startswith("https://"):
            return "wss://" + base.removeprefix("https://")
        return "ws://" + base.removeprefix("http://")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> N8nRunnerConfig:
        """Read the `N8N_RUNNERS_*` / `STARTJOB_N8N_*` variables; `ConfigurationError` names
        the variable that is wrong."""
        env = os.environ if environ is None else environ
        uri = (env.get(ENV_BROKER_URI) or DEFAULT_BROKER_URI).strip()
        if not uri.startswith(("http://", "https://")):
            raise ConfigurationError(f"{ENV_BROKER_URI}={uri!r} must start with http:// or "
                                     "https://")
        types = [t.strip() for t in env.get(ENV_TYPES, "").split(",") if t.strip()]
        valid_for = read_float_env(env, ENV_OFFER_VALID_FOR,
                                   DEFAULT_OFFER_VALID_FOR.total_seconds())
        task_timeout = read_float_env(env, ENV_TASK_TIMEOUT,
                                      DEFAULT_TASK_TIMEOUT.total_seconds())
        config = cls(
            broker_uri=uri,
            auth_token=_secret(env, ENV_AUTH_TOKEN),
            grant_token=env.get(ENV_GRANT_TOKEN) or None,
            max_concurrency=read_int_env(env, ENV_MAX_CONCURRENCY, DEFAULT_MAX_CONCURRENCY),
            types=tuple(types) or None,
            name=env.get(ENV_RUNNER_NAME) or DEFAULT_RUNNER_NAME,
            offer_valid_for=timedelta(seconds=valid_for),
            task_timeout=timedelta(seconds=task_timeout),
        )
        config.require_token()
        return config


def _secret(env: Mapping[str, str], name: str) -> str | None:
    """`NAME`, or the contents of the file named by `NAME_FILE` (Docker/Kubernetes secrets)."""
    value = env.get(name)
    if value:
        return value
    path = env.get(f"{name}_FILE")
    if not path:
        return None
    try:
        return Path(path).read_text(encoding="utf-8").strip() or None
    except OSError as err:
        raise ConfigurationError(f"{name}_FILE={path!r} cannot be read: {err}") from err
