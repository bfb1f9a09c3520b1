"""One data converter for client and worker: pydantic's, so settings models, results and
workflow inputs travel as JSON with their aliases."""

from __future__ import annotations

import dataclasses

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter

__all__ = ["JOB_DATA_CONVERTER", "job_data_converter", "with_job_data_converter"]

JOB_DATA_CONVERTER = pydantic_data_converter


def job_data_converter(base: DataConverter | None = None) -> DataConverter:
    """`base` (or the default converter) with pydantic's payload converter; a payload codec
    in `base`, such as encryption, is kept."""
    if base is None:
        return JOB_DATA_CONVERTER
    pydantic_class = JOB_DATA_CONVERTER.payload_converter_class
    if base.payload_converter_class is pydantic_class:
        return base
    return dataclasses.replace(base, payload_converter_class=pydantic_class)


def with_job_data_converter(client: Client) -> Client:
    """`client` itself when it already uses a pydantic payload converter; otherwise a client
    sharing its connection with the payload converter swapped (a payload codec is kept)."""
    converter = job_data_converter(client.data_converter)
    if converter is client.data_converter:
        return client
    config = client.config()
    config["data_converter"] = converter
    return Client(**config)
