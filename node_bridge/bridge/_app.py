"""`create_app`: the bridge as one ASGI app for one `JobClient`.

    app = create_app(client, BridgeConfig.from_env())   # serve with uvicorn, or serve_bridge

Requests pass the bridge's guards (tracing, codec CORS, token, per-client limit, body limit)
and then, for `POST /v1/jobs`, `StartJobEndpoint`, all plain ASGI; every other request goes on
to the FastAPI app (`BridgeApp.api`: the routes, the OpenAPI document, the error handlers). The
guards sit in front of FastAPI rather than in its middleware stack so that a waiting call keeps
no FastAPI frames alive for its whole wait (docs/performance.md). The FastAPI app runs a
co-located `JobWorker` on the client's task queue during its lifespan (unless
`config.with_worker` is false), so jobs started through the bridge start eagerly and need no
separate worker process.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from workflows import JobWorker

from .._client import JobClient
from ._codec import CodecCors
from ._codec import router as codec_router
from ._config import BridgeConfig
from ._errors import ErrorsAsResults, install_error_handlers
from ._guards import BodyLimit, TokenGuard
from ._jobs import router as jobs_router
from ._limits import ConcurrencyLimit
from ._meta import HEALTH_PATHS
from ._meta import router as meta_router
from ._start_endpoint import StartJobEndpoint
from ._state import BridgeState, bridge_state
from ._tracing import traced

__all__ = ["BridgeApp", "create_app"]

_log = logging.getLogger("startjob.bridge")

# The bridge makes its own server spans and HTTP metrics in front of FastAPI (`_tracing`); FastAPI
# versions with built-in telemetry would add a second set for the requests that reach it.
_NO_NATIVE_TELEMETRY: dict[str, Any] = (
    {"telemetry": {"tracing": False, "metrics": False, "logs": False}}
    if "telemetry" in inspect.signature(FastAPI.__init__).parameters else {})

_DESCRIPTION = """Launch startjob jobs over HTTP and await their Result.

Every answer about a job is a Result: `{"success": true, "data": ...}` or
`{"success": false, "error": {...}}`. 200 means the job ran (whatever its outcome), 202 that
the wait ran out (follow `GET /v1/jobs/{jobId}?waitSeconds=N`); 4xx and 503 mean nothing was
launched. `waitSeconds` above the bridge's maximum (STARTJOB_BRIDGE_MAX_WAIT_SECONDS, 300 s by
default) is clamped to it."""


class BridgeApp:
    """The ASGI app `create_app` makes: the guards and `POST /v1/jobs` in front, `api` behind.

    Lifespan events go straight to `api` (the co-located worker); HTTP requests through the
    guards."""

    def __init__(self, api: FastAPI, state: BridgeState) -> None:
        self.api = api
        self.state = state
        config = state.config
        # Innermost first: each layer wraps the ones before it.
        chain: ASGIApp = StartJobEndpoint(api, state=state)
        chain = BodyLimit(chain, max_bytes=config.max_body_bytes)
        chain = ConcurrencyLimit(chain, per_client=config.max_concurrent_per_client,
                                 open_paths=HEALTH_PATHS)
        token = config.token_value
        if token:  # outside the limits: unauthenticated bodies are never read
            chain = TokenGuard(chain, token=token, open_paths=HEALTH_PATHS)
        # outside the token check: CORS preflights carry no token
        chain = CodecCors(chain, origins=config.codec_cors_origins)
        chain = ErrorsAsResults(chain)
        routes = [*jobs_router.routes, *meta_router.routes, *codec_router.routes, *api.routes]
        self._guarded = traced(chain, routes, untraced_paths=HEALTH_PATHS)  # around everything

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.api(scope, receive, send)
        else:
            await self._guarded(scope, receive, send)


def create_app(client: JobClient, config: BridgeConfig) -> BridgeApp:
    """The bridge as an ASGI app; serve it with `serve_bridge` or any ASGI server.

    Args:
        client: Launches and follows jobs; its registry is what the bridge offers.
        config: Token, body limit, waits, and whether to run a co-located worker.
    """
    api = FastAPI(title="startjob bridge", description=_DESCRIPTION, version="1",
                  lifespan=_lifespan, redoc_url=None, **_NO_NATIVE_TELEMETRY)
    state = BridgeState(client=client, config=config)
    api.state.bridge = state
    install_error_handlers(api)
    api.include_router(jobs_router)
    api.include_router(meta_router)
    api.include_router(codec_router)
    return BridgeApp(api, state)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    state = bridge_state(app)
    definitions = list(state.client.registry) if state.config.with_worker else []
    if not definitions:
        if state.config.with_worker:
            _log.warning("no job types are registered: the bridge runs no worker")
        yield
        return
    queue = state.client.config.task_queue
    try:
        worker = JobWorker(state.client, jobs=definitions, task_queue=queue)
        await worker.__aenter__()
    except Exception as err:
        state.startup_error = err
        raise
    _log.info("co-located worker serves task queue %r: %s", queue, ", ".join(worker.job_types))
    try:
        yield
    finally:
        await worker.__aexit__(None, None, None)
