"""One data converter for client and worker: pydantic's, so settings models, results and
workflow inputs travel as JSON with their aliases; plus, when `STARTJOB_ENCRYPTION_KEYS` (or
`_FILE`) is set, the AES-GCM payload codec of `_codec`, so histories hold ciphertext."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes

from ._codec import EncryptionCodec

__all__ = ["JOB_DATA_CONVERTER", "job_data_converter", "with_job_data_converter"]

JOB_DATA_CONVERTER = pydantic_data_converter


def job_data_converter(
    base: DataConverter | None = None, *, environ: Mapping[str, str] | None = None
) -> DataConverter:
    """`base` (or the default converter) with pydantic's payload converter.

    A payload codec in `base` is kept. Without one, the encryption codec configured in the
    environment (`EncryptionCodec.from_env`) is added, together with a failure converter that
    moves failure messages and stack traces into the encrypted attributes too (they can quote
    settings). Raises `EncryptionConfigError` when those keys are invalid.
    """
    converter = JOB_DATA_CONVERTER if base is None else base
    changes: dict[str, Any] = {}
    pydantic_class = JOB_DATA_CONVERTER.payload_converter_class
    if converter.payload_converter_class is not pydantic_class:
        changes["payload_converter_class"] = pydantic_class
    if converter.payload_codec is None:
        codec = EncryptionCodec.from_env(environ)
        if codec is not None:
            changes["payload_codec"] = codec
            changes["failure_converter_class"] = DefaultFailureConverterWithEncodedAttributes
    return dataclasses.replace(converter, **changes) if changes else converter


def with_job_data_converter(client: Client) -> Client:
    """`client` itself when its converter already is `job_data_converter`'s; otherwise a client
    sharing its connection with the converter swapped (a payload codec is kept)."""
    converter = job_data_converter(client.data_converter)
    if converter is client.data_converter:
        return client
    config = client.config()
    config["data_converter"] = converter
    return Client(**config)
