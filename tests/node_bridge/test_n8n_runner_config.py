"""`N8nRunnerConfig.from_env()`: n8n's variable names, secrets from files, errors that name
the variable."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from node_bridge import ConfigurationError
from node_bridge.n8n_runner import N8nRunnerConfig


def test_defaults_need_only_a_token() -> None:
    config = N8nRunnerConfig.from_env({"N8N_RUNNERS_AUTH_TOKEN": "t"})
    assert config.broker_uri == "http://127.0.0.1:5679"
    assert config.ws_uri == "ws://127.0.0.1:5679"
    assert config.max_concurrency == 5
    assert config.types is None  # every registered job type
    assert config.task_timeout == timedelta(seconds=300)


def test_reads_n8ns_variables(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("from-file\n")
    config = N8nRunnerConfig.from_env({
        "N8N_RUNNERS_TASK_BROKER_URI": "https://n8n.internal:5679",
        "N8N_RUNNERS_AUTH_TOKEN_FILE": str(secret),
        "N8N_RUNNERS_MAX_CONCURRENCY": "12",
        "N8N_RUNNERS_TASK_TIMEOUT": "30",
        "STARTJOB_N8N_TYPES": "echo, report-generator",
    })
    assert config.auth_token == "from-file"
    assert config.ws_uri == "wss://n8n.internal:5679"
    assert config.max_concurrency == 12
    assert config.task_timeout == timedelta(seconds=30)
    assert config.types == ("echo", "report-generator")


def test_a_grant_token_is_enough() -> None:
    assert N8nRunnerConfig.from_env({"N8N_RUNNERS_GRANT_TOKEN": "g"}).grant_token == "g"


@pytest.mark.parametrize(("env", "named"), [
    ({}, "N8N_RUNNERS_AUTH_TOKEN"),
    ({"N8N_RUNNERS_AUTH_TOKEN": "t", "N8N_RUNNERS_MAX_CONCURRENCY": "0"},
     "N8N_RUNNERS_MAX_CONCURRENCY"),
    ({"N8N_RUNNERS_AUTH_TOKEN": "t", "N8N_RUNNERS_TASK_TIMEOUT": "soon"},
     "N8N_RUNNERS_TASK_TIMEOUT"),
    ({"N8N_RUNNERS_AUTH_TOKEN": "t", "N8N_RUNNERS_TASK_BROKER_URI": "127.0.0.1:5679"},
     "N8N_RUNNERS_TASK_BROKER_URI"),
    ({"N8N_RUNNERS_AUTH_TOKEN_FILE": "/nonexistent/token"}, "N8N_RUNNERS_AUTH_TOKEN_FILE"),
])
def test_errors_name_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigurationError, match=named):
        N8nRunnerConfig.from_env(env)
