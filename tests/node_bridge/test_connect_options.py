"""What `JobClient.connect` hands to `Client.connect`, for real clusters: `temporalio.envconfig`
reads address, namespace, API key and mTLS from `TEMPORAL_*` (or a profile), startjob adds its
converter. No server needed: `client_connect_options` is the pure step."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.service import TLSConfig

from node_bridge import ConfigurationError
from node_bridge._connect import client_connect_options
from workflows import EncryptionCodec, generate_key


def test_defaults_to_the_local_dev_server() -> None:
    options = client_connect_options(environ={})
    assert options["target_host"] == "localhost:7233"
    assert "tls" not in options and "api_key" not in options
    assert options["data_converter"].payload_codec is None


def test_temporal_cloud_with_an_api_key() -> None:
    options = client_connect_options(environ={
        "TEMPORAL_ADDRESS": "eu-west-1.aws.api.temporal.io:7233",
        "TEMPORAL_NAMESPACE": "jobs.a1b2c",
        "TEMPORAL_API_KEY": "the-api-key",
    })
    assert options["target_host"] == "eu-west-1.aws.api.temporal.io:7233"
    assert options["namespace"] == "jobs.a1b2c"
    assert options["api_key"] == "the-api-key"
    assert options["tls"] is True  # an API key turns TLS on


def test_mtls_certificates_from_files(tmp_path: Path) -> None:
    cert, key = tmp_path / "client.pem", tmp_path / "client.key"
    cert.write_text("CERT")
    key.write_text("KEY")
    options = client_connect_options(environ={
        "TEMPORAL_ADDRESS": "jobs.a1b2c.tmprl.cloud:7233",
        "TEMPORAL_TLS_CLIENT_CERT_PATH": str(cert),
        "TEMPORAL_TLS_CLIENT_KEY_PATH": str(key),
        "TEMPORAL_TLS_SERVER_NAME": "jobs.a1b2c.tmprl.cloud",
    })
    tls = options["tls"]
    assert isinstance(tls, TLSConfig)
    assert tls.client_cert == b"CERT" and tls.client_private_key == b"KEY"
    assert tls.domain == "jobs.a1b2c.tmprl.cloud"


def test_a_profile_from_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "temporal.toml"
    config.write_text('[profile.prod]\naddress = "temporal.internal:7233"\n'
                      'namespace = "jobs"\napi_key = "k"\n')
    options = client_connect_options(environ={"TEMPORAL_CONFIG_FILE": str(config),
                                              "TEMPORAL_PROFILE": "prod"})
    assert (options["target_host"], options["namespace"], options["api_key"]) == (
        "temporal.internal:7233", "jobs", "k")


def test_arguments_win_over_the_environment() -> None:
    options = client_connect_options("other:7233", namespace="ns", environ={
        "TEMPORAL_ADDRESS": "env:7233", "TEMPORAL_NAMESPACE": "env-ns"})
    assert (options["target_host"], options["namespace"]) == ("other:7233", "ns")


def test_encryption_keys_reach_the_converter_and_bad_ones_are_configuration_errors() -> None:
    options = client_connect_options(
        environ={"STARTJOB_ENCRYPTION_KEYS": f"k1:{generate_key()}"})
    assert isinstance(options["data_converter"].payload_codec, EncryptionCodec)
    with pytest.raises(ConfigurationError, match="STARTJOB_ENCRYPTION_KEYS"):
        client_connect_options(environ={"STARTJOB_ENCRYPTION_KEYS": "k1:not-a-key"})


async def test_job_client_connect_refuses_bad_keys_before_connecting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from node_bridge import JobClient

    monkeypatch.setenv("STARTJOB_ENCRYPTION_KEYS_FILE", "/nonexistent/keys")
    with pytest.raises(ConfigurationError, match="STARTJOB_ENCRYPTION_KEYS_FILE"):
        await JobClient.connect("127.0.0.1:1")
