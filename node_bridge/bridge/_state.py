"""What every route needs: the `JobClient` and the `BridgeConfig`, kept on `app.state`."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import FastAPI, Request

from .._client import JobClient
from ._config import BridgeConfig

__all__ = ["BridgeState", "bridge_state"]


@dataclass
class BridgeState:
    client: JobClient
    config: BridgeConfig
    startup_error: BaseException | None = field(default=None)
    """Why the lifespan (the co-located worker) failed to start, for `serve_bridge` to raise."""

    def clamp_wait(self, seconds: float | None) -> float:
        """The request's wait, or the default; never above the configured maximum."""
        wait = self.config.wait_seconds if seconds is None else seconds
        return min(wait, self.config.max_wait_seconds)


def bridge_state(app_or_request: FastAPI | Request) -> BridgeState:
    app = app_or_request.app if isinstance(app_or_request, Request) else app_or_request
    state = app.state.bridge
    assert isinstance(state, BridgeState), "create_app() sets app.state.bridge"
    return state
