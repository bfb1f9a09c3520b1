"""Drive the real `startjob` CLI in-process (Typer's CliRunner) against the dev server."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from click.testing import Result
from typer.testing import CliRunner

from startjob.cli import app

CliInvoke = Callable[..., Awaitable[Result]]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, temporal_address: str) -> CliInvoke:
    """`await cli("ls", "--json")`: the CLI runs in a thread (it owns its own event loop)."""
    monkeypatch.setenv("TEMPORAL_ADDRESS", temporal_address)
    runner = CliRunner()

    async def invoke(*args: str, input: str | None = None) -> Result:
        return await asyncio.to_thread(runner.invoke, app, list(args), input=input)

    return invoke
