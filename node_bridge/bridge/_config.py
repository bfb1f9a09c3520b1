"""`BridgeConfig`: where the HTTP bridge listens and what it accepts, from `STARTJOB_BRIDGE_*`.

    config = BridgeConfig.from_env()        # raises ConfigurationError naming the variable
    config.ensure_safe_to_listen()          # refuses a public address without a token

Temporal's connection settings are not here: `JobClient.connect()` reads `TEMPORAL_*`.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from .._config import ConfigurationError, read_float_env, read_int_env

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
    "BridgeConfig",
    "is_loopback_host",
]

ENV_HOST = "STARTJOB_BRIDGE_HOST"
ENV_PORT = "STARTJOB_BRIDGE_PORT"
ENV_TOKEN = "STARTJOB_BRIDGE_TOKEN"
ENV_TOKEN_FILE = "STARTJOB_BRIDGE_TOKEN_FILE"  # a file holding the token (container secrets)
ENV_MAX_BODY_BYTES = "STARTJOB_BRIDGE_MAX_BODY_BYTES"
ENV_WAIT_SECONDS = "STARTJOB_BRIDGE_WAIT_SECONDS"
ENV_MAX_WAIT_SECONDS = "STARTJOB_BRIDGE_MAX_WAIT_SECONDS"
ENV_WORKER = "STARTJOB_BRIDGE_WORKER"  # "false" turns the co-located worker off
ENV_INSECURE = "STARTJOB_BRIDGE_INSECURE"
ENV_MAX_CONCURRENT_PER_CLIENT = "STARTJOB_BRIDGE_MAX_CONCURRENT_PER_CLIENT"
ENV_CODEC_CORS_ORIGINS = "STARTJOB_CODEC_CORS_ORIGINS"  # comma-separated browser origins

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8787  # 0 picks a free port
DEFAULT_MAX_BODY_BYTES = 1024 * 1024  # bytes of request body
DEFAULT_WAIT_SECONDS = 30.0  # seconds a request waits when it names no waitSeconds
DEFAULT_MAX_WAIT_SECONDS = 300.0  # seconds; larger waitSeconds are clamped to this
DEFAULT_MAX_CONCURRENT_PER_CLIENT = 100  # requests in flight per client address; then 429
DEFAULT_CODEC_CORS_ORIGINS = ("http://localhost:8233",)
"""The Temporal UI of `startjob dev`; its browser calls `/codec/decode` from that origin."""

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class BridgeConfig(BaseModel):
    """How the bridge serves. Immutable: build another with `model_copy(update=...)`.

    Attributes:
        host, port: Listen address; `port=0` picks a free port.
        token: When set, every request but the health probes needs `Authorization: Bearer`.
        max_body_bytes: Larger request bodies get 413 PAYLOAD_TOO_LARGE, unread.
        wait_seconds: How long a request waits for its job when it names no `waitSeconds`.
        max_wait_seconds: Upper bound on any wait; larger `waitSeconds` are clamped to it.
        with_worker: Run a `JobWorker` in the bridge on the client's task queue.
        insecure: Allow a non-loopback host without a token.
        max_concurrent_per_client: Requests one client address may have in flight (a long
            wait holds its slot); more get 429 with Retry-After. Health probes do not count.
        codec_cors_origins: Browser origins (the Temporal UI) allowed to call `/codec/*`.
    """

    model_config = ConfigDict(frozen=True)

    host: str = Field(default=DEFAULT_HOST, min_length=1)
    port: int = Field(default=DEFAULT_PORT, ge=0, le=65535)
    token: SecretStr | None = None
    max_body_bytes: int = Field(default=DEFAULT_MAX_BODY_BYTES, gt=0)
    wait_seconds: float = Field(default=DEFAULT_WAIT_SECONDS, gt=0)
    max_wait_seconds: float = Field(default=DEFAULT_MAX_WAIT_SECONDS, gt=0)
    with_worker: bool = True
    insecure: bool = False
    max_concurrent_per_client: int = Field(default=DEFAULT_MAX_CONCURRENT_PER_CLIENT, gt=0)
    codec_cors_origins: tuple[str, ...] = DEFAULT_CODEC_CORS_ORIGINS

    @model_validator(mode="after")
    def _wait_within_max(self) -> BridgeConfig:
        if self.wait_seconds > self.max_wait_seconds:
            raise ValueError(f"wait_seconds={self.wait_seconds:g} is above "
                             f"max_wait_seconds={self.max_wait_seconds:g}")
        return self

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> BridgeConfig:
        """Read `STARTJOB_BRIDGE_*`; unset or empty variables keep the defaults."""
        env = os.environ if environ is None else environ
        port = read_int_env(env, ENV_PORT, DEFAULT_PORT, minimum=0)
        if port > 65535:
            raise ConfigurationError(f"{ENV_PORT}={port} must be at most 65535")
        wait = read_float_env(env, ENV_WAIT_SECONDS, DEFAULT_WAIT_SECONDS)
        max_wait = read_float_env(env, ENV_MAX_WAIT_SECONDS, DEFAULT_MAX_WAIT_SECONDS)
        if wait > max_wait:
            raise ConfigurationError(f"{ENV_WAIT_SECONDS}={wait:g} is above the maximum wait "
                                     f"{max_wait:g}s ({ENV_MAX_WAIT_SECONDS})")
        token = _read_token(env)
        return cls(
            host=(env.get(ENV_HOST) or "").strip() or DEFAULT_HOST,
            port=port,
            token=SecretStr(token) if token else None,
            max_body_bytes=read_int_env(env, ENV_MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES),
            wait_seconds=wait,
            max_wait_seconds=max_wait,
            with_worker=_read_bool_env(env, ENV_WORKER, True),
            insecure=_read_bool_env(env, ENV_INSECURE, False),
            max_concurrent_per_client=read_int_env(env, ENV_MAX_CONCURRENT_PER_CLIENT,
                                                   DEFAULT_MAX_CONCURRENT_PER_CLIENT),
            codec_cors_origins=_read_origins(env),
        )

    @property
    def token_value(self) -> str | None:
        return self.token.get_secret_value() if self.token is not None else None

    def ensure_safe_to_listen(self) -> None:
        """Refuse to listen beyond loopback without a token (unless `insecure`): anyone who
        can reach the port could otherwise run jobs."""
        if self.token_value or self.insecure or is_loopback_host(self.host):
            return
        raise ConfigurationError(
            f"refusing to serve the bridge on {self.host!r} without a token: anyone who can "
            f"reach it could run jobs. Set {ENV_TOKEN} (or {ENV_TOKEN_FILE}), listen on "
            "127.0.0.1, or pass --insecure if a proxy in front does authentication"
        )


def is_loopback_host(host: str) -> bool:
    """`localhost`, 127.0.0.0/8 or ::1 (also bracketed or IPv4-mapped)."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _read_token(env: Mapping[str, str]) -> str | None:
    token = env.get(ENV_TOKEN) or None
    path = env.get(ENV_TOKEN_FILE) or None
    if token and path:
        raise ConfigurationError(f"set {ENV_TOKEN} or {ENV_TOKEN_FILE}, not both")
    if path is None:
        return token.strip() if token else None
    try:
        text = Path(path).read_text(encoding="utf-8").strip()
    except OSError as err:
        raise ConfigurationError(f"{ENV_TOKEN_FILE}={path!r} cannot be read: {err}") from None
    if not text:
        raise ConfigurationError(f"{ENV_TOKEN_FILE}={path!r} is empty")
    return text


def _read_origins(env: Mapping[str, str]) -> tuple[str, ...]:
    raw = env.get(ENV_CODEC_CORS_ORIGINS) or ""
    origins = tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())
    for origin in origins:
        scheme, sep, rest = origin.partition("://")
        if scheme not in ("http", "https") or not sep or not rest or "/" in rest:
            raise ConfigurationError(
                f"{ENV_CODEC_CORS_ORIGINS}: {origin!r} is not an origin such as "
                "http://localhost:8233 (scheme, host, optional port; no path, no '*')")
    return origins or DEFAULT_CODEC_CORS_ORIGINS


def _read_bool_env(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ConfigurationError(f"{name}={env.get(name)!r} must be true or false")
