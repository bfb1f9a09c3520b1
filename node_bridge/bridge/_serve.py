"""`serve_bridge`: run the bridge with uvicorn until cancelled.

    await serve_bridge(BridgeConfig.from_env(), on_ready=print)

Signals are the caller's business: cancel the task running `serve_bridge` to stop it; it then
shuts down gracefully (open requests, the co-located worker) before re-raising.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Callable, Iterator

import uvicorn

from .._client import JobClient
from .._config import ConfigurationError
from ._app import create_app
from ._config import ENV_PORT, BridgeConfig

__all__ = ["GRACEFUL_SHUTDOWN_SECONDS", "base_url", "serve_bridge"]

GRACEFUL_SHUTDOWN_SECONDS = 10  # seconds open requests get to finish on shutdown
_log = logging.getLogger("startjob.bridge")


async def serve_bridge(
    config: BridgeConfig,
    *,
    client: JobClient | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve until cancelled.

    Args:
        config: Where to listen and what to accept; checked with `ensure_safe_to_listen()`.
        client: Defaults to `JobClient.connect()` (`TEMPORAL_*` settings).
        on_ready: Called once with the base URL (`http://HOST:PORT`, the real port when
            `config.port` is 0) when the bridge accepts connections.

    Raises:
        ConfigurationError: A public host without a token, or the port cannot be bound.
        RuntimeError: Temporal is unreachable at connect, or the co-located worker failed.
    """
    config.ensure_safe_to_listen()
    if client is None:
        client = await JobClient.connect()
    app = create_app(client, config)
    sock = _bind(config.host, config.port)
    url = base_url(config.host, sock.getsockname()[1])
    server = _Server(
        uvicorn.Config(app, log_config=None, access_log=False, lifespan="on",
                       timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS),
        on_started=(lambda: on_ready(url)) if on_ready else None,
    )
    task = asyncio.create_task(server.serve(sockets=[sock]), name="startjob-bridge")
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await task
        raise
    finally:
        sock.close()
    if not server.started:
        error = app.state.startup_error
        raise RuntimeError(f"the bridge failed to start: {error or 'see the log'}") from error


def base_url(host: str, port: int) -> str:
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    return f"http://{shown}:{port}"


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None] | None) -> None:
        super().__init__(config)
        self._on_started = on_started

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # the caller owns signal handling: it cancels serve_bridge

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets)
        except SystemExit:  # uvicorn exits the process when the lifespan fails; we raise
            self.should_exit = True
            return
        if not self.should_exit and self._on_started is not None:
            self._on_started()


def _bind(host: str, port: int) -> socket.socket:
    try:
        sock = socket.create_server((host.strip("[]"), port), backlog=2048,
                                    family=socket.AF_INET6 if ":" in host else socket.AF_INET)
    except OSError as err:
        raise ConfigurationError(f"cannot listen on {host}:{port} (--port / {ENV_PORT}, "
                                 f"--host): {err}") from None
    # Accepted sockets inherit TCP_NODELAY from the listener. asyncio sets it only on sockets
    # whose proto is IPPROTO_TCP, and create_server's is 0: without this, Nagle's algorithm
    # holds each response's body until the client's delayed ACK, about 40 ms per request.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.set_inheritable(True)
    return sock
