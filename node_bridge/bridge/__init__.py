"""The HTTP bridge: Node.js callers (n8n nodes, the `@startjob/client` package) launch jobs and
await their Result over HTTP. Serve it in one step::

    await serve_bridge(BridgeConfig.from_env(), on_ready=print)

or from a shell: `python -m node_bridge.bridge --port 8787 --jobs myproject.jobs`
(`startjob bridge` does the same). Endpoints (CONTRACT.md §4): `POST /v1/jobs`,
`GET /v1/jobs/{jobId}`, `POST /v1/jobs/{jobId}/cancel`, `GET /v1/job-types`, `GET /healthz`,
`GET /readyz`, `GET /openapi.json`, and with payload encryption on, a codec server for the
Temporal UI (`POST /codec/encode`, `POST /codec/decode`).
"""

from ._app import BridgeApp, create_app
from ._config import (
    DEFAULT_CODEC_CORS_ORIGINS,
    DEFAULT_HOST,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_CONCURRENT_PER_CLIENT,
    DEFAULT_MAX_WAIT_SECONDS,
    DEFAULT_PORT,
    DEFAULT_WAIT_SECONDS,
    ENV_CODEC_CORS_ORIGINS,
    ENV_HOST,
    ENV_INSECURE,
    ENV_MAX_BODY_BYTES,
    ENV_MAX_CONCURRENT_PER_CLIENT,
    ENV_MAX_WAIT_SECONDS,
    ENV_PORT,
    ENV_TOKEN,
    ENV_TOKEN_FILE,
    ENV_WAIT_SECONDS,
    ENV_WORKER,
    BridgeConfig,
    is_loopback_host,
)
from ._models import (
    CancelRequested,
    Health,
    JobRunning,
    JobStatusBody,
    JobTypeInfo,
    JobTypeList,
    StartJobRequest,
)
from ._serve import base_url, serve_bridge

__all__ = [
    "DEFAULT_CODEC_CORS_ORIGINS",
    "DEFAULT_HOST",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_CONCURRENT_PER_CLIENT",
    "DEFAULT_MAX_WAIT_SECONDS",
    "DEFAULT_PORT",
    "DEFAULT_WAIT_SECONDS",
    "ENV_CODEC_CORS_ORIGINS",
    "ENV_HOST",
    "ENV_INSECURE",
    "ENV_MAX_BODY_BYTES",
    "ENV_MAX_CONCURRENT_PER_CLIENT",
    "ENV_MAX_WAIT_SECONDS",
    "ENV_PORT",
    "ENV_TOKEN",
    "ENV_TOKEN_FILE",
    "ENV_WAIT_SECONDS",
    "ENV_WORKER",
    "BridgeApp",
    "BridgeConfig",
    "CancelRequested",
    "Health",
    "JobRunning",
    "JobStatusBody",
    "JobTypeInfo",
    "JobTypeList",
    "StartJobRequest",
    "base_url",
    "create_app",
    "is_loopback_host",
    "serve_bridge",
]
