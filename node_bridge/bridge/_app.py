"""`create_app`: the bridge's FastAPI application for one `JobClient`.

The app runs a co-located `JobWorker` on the client's task queue during its lifespan (unless
`config.with_worker` is false), so jobs started through the bridge start eagerly and need no
separate worker process.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from workflows import JobWorker

from .._client import JobClient
from ._codec import CodecCors
from ._codec import router as codec_router
from ._config import BridgeConfig
from ._errors import install_error_handlers
from ._guards import BodyLimit, TokenGuard
from ._jobs import router as jobs_router
from ._limits import ConcurrencyLimit
from ._meta import HEALTH_PATHS
from ._meta import router as meta_router
from ._start_endpoint import StartJobEndpoint
from ._state import BridgeState, bridge_state
from ._tracing import instrument

__all__ = ["create_app"]

_log = logging.getLogger("startjob.bridge")

_DESCRIPTION = """Launch startjob jobs over HTTP and await their Result.

Every answer about a job is a Result: `{"success": true, "data": ...}` or
`{"success": false, "error": {...}}`. 200 means the job ran (whatever its outcome), 202 that
the wait ran out (follow `GET /v1/jobs/{jobId}?waitSeconds=N`); 4xx and 503 mean nothing was
launched. `waitSeconds` above the bridge's maximum (STARTJOB_BRIDGE_MAX_WAIT_SECONDS, 300 s by
default) is clamped to it."""


def create_app(client: JobClient, config: BridgeConfig) -> FastAPI:
    """The bridge as an ASGI app; serve it with `serve_bridge` or any ASGI server.

    Args:
        client: Launches and follows jobs; its registry is what the bridge offers.
        config: Token, body limit, waits, and whether to run a co-located worker.
    """
    app = FastAPI(title="startjob bridge", description=_DESCRIPTION, version="1",
                  lifespan=_lifespan, redoc_url=None)
    app.state.bridge = BridgeState(client=client, config=config)
    install_error_handlers(app)
    app.include_router(jobs_router)
    app.include_router(meta_router)
    app.include_router(codec_router)
    # Added first, so it runs last: inside every guard below, outside FastAPI's router.
    app.add_middleware(StartJobEndpoint, state=app.state.bridge)
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)
    app.add_middleware(ConcurrencyLimit, per_client=config.max_concurrent_per_client,
                       open_paths=HEALTH_PATHS)
    token = config.token_value
    if token:  # added last, so it runs first: unauthenticated bodies are never read
        app.add_middleware(TokenGuard, token=token, open_paths=HEALTH_PATHS)
    # outside the token check: CORS preflights carry no token
    app.add_middleware(CodecCors, origins=config.codec_cors_origins)
    instrument(app, untraced_paths=HEALTH_PATHS)  # wraps every middleware, whatever the order
    return app


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
