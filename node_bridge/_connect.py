"""What `JobClient.connect` passes to `temporalio.client.Client.connect`, as a pure step, so the
connection settings (address, namespace, TLS/mTLS, API key, profiles) can be checked without a
server.

    options = client_connect_options()      # TEMPORAL_* env vars and the config file's profile

Temporal's own loader (`temporalio.envconfig`) reads `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`,
`TEMPORAL_API_KEY` (TLS on by default with it), `TEMPORAL_TLS*` (client cert and key for mTLS,
server CA, server name), `TEMPORAL_PROFILE` and `TEMPORAL_CONFIG_FILE`; startjob adds only the
default address and its data converter (with the encryption codec when configured).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from temporalio.envconfig import ClientConfig

from workflows import EncryptionConfigError, job_data_converter

from ._config import ConfigurationError

__all__ = ["DEFAULT_TEMPORAL_ADDRESS", "client_connect_options"]

DEFAULT_TEMPORAL_ADDRESS = "localhost:7233"


def client_connect_options(
    target_host: str | None = None,
    *,
    namespace: str | None = None,
    profile: str | None = None,
    environ: Mapping[str, str] | None = None,
    **connect_options: Any,
) -> dict[str, Any]:
    """Keyword arguments for `Client.connect`: envconfig's profile, then the arguments given
    here (which win), then startjob's data converter.

    Args:
        environ: The environment to read (the process's by default); for tests and tools.

    Raises:
        ConfigurationError: The encryption keys (`STARTJOB_ENCRYPTION_KEYS[_FILE]`) are invalid.
    """
    options: dict[str, Any] = dict(
        ClientConfig.load_client_connect_config(profile=profile, override_env_vars=environ))
    options.setdefault("target_host", DEFAULT_TEMPORAL_ADDRESS)
    if target_host:
        options["target_host"] = target_host
    if namespace:
        options["namespace"] = namespace
    options.update(connect_options)
    try:
        options["data_converter"] = job_data_converter(options.get("data_converter"),
                                                       environ=environ)
    except EncryptionConfigError as err:
        raise ConfigurationError(str(err)) from None
    return options
