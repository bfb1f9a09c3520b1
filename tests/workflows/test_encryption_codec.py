"""The AES-GCM payload codec on its own: round trip, key ids, rotation, and configuration
errors that name the variable but never a key."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.converter import DefaultFailureConverterWithEncodedAttributes

from workflows import (
    ENCRYPTED_ENCODING,
    JOB_DATA_CONVERTER,
    KEY_ID_METADATA,
    EncryptionCodec,
    EncryptionConfigError,
    PayloadDecryptionError,
    generate_key,
    job_data_converter,
)

K1, K2 = generate_key(), generate_key()


def _codec(spec: str) -> EncryptionCodec:
    codec = EncryptionCodec.from_env({"STARTJOB_ENCRYPTION_KEYS": spec})
    assert codec is not None
    return codec


def _plain(text: str) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=text.encode())


async def test_round_trip_hides_data_and_encoding() -> None:
    codec = _codec(f"k1:{K1}")
    original = _plain('{"password": "s3cret"}')
    [sealed] = await codec.encode([original])
    assert sealed.metadata["encoding"] == ENCRYPTED_ENCODING
    assert sealed.metadata[KEY_ID_METADATA] == b"k1"
    assert b"s3cret" not in sealed.SerializeToString()
    assert b"json/plain" not in sealed.data
    assert await codec.decode([sealed]) == [original]
    [again] = await codec.encode([original])
    assert again.data != sealed.data  # a fresh nonce per payload


async def test_rotation_keeps_old_payloads_readable() -> None:
    old, rotated, dropped = _codec(f"k1:{K1}"), _codec(f"k2:{K2},k1:{K1}"), _codec(f"k2:{K2}")
    [under_k1] = await old.encode([_plain("1")])
    assert await rotated.decode([under_k1]) == [_plain("1")]
    [under_k2] = await rotated.encode([_plain("2")])
    assert under_k2.metadata[KEY_ID_METADATA] == b"k2"  # the first key is the current one
    with pytest.raises(PayloadDecryptionError, match="'k1'"):
        await dropped.decode([under_k1])


async def test_unencrypted_payloads_pass_through_and_tampering_is_caught() -> None:
    codec = _codec(f"k1:{K1}")
    assert await codec.decode([_plain("old")]) == [_plain("old")]
    [sealed] = await codec.encode([_plain("x")])
    sealed.data = sealed.data[:-1] + bytes([sealed.data[-1] ^ 1])
    with pytest.raises(PayloadDecryptionError, match="altered"):
        await codec.decode([sealed])
    same_id_other_key = _codec(f"k1:{K2}")
    [fresh] = await codec.encode([_plain("x")])
    with pytest.raises(PayloadDecryptionError):
        await same_id_other_key.decode([fresh])


def test_keys_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "keys"
    path.write_text(f"# current first\nk2:{K2}\nk1:{K1}  # kept for old histories\n")
    codec = EncryptionCodec.from_env({"STARTJOB_ENCRYPTION_KEYS_FILE": str(path)})
    assert codec is not None and codec.key_ids == ["k2", "k1"] and codec.current_key_id == "k2"
    assert K1 not in repr(codec) and K2 not in repr(codec)


def test_off_when_unset_or_empty() -> None:
    assert EncryptionCodec.from_env({}) is None
    assert EncryptionCodec.from_env({"STARTJOB_ENCRYPTION_KEYS": " "}) is None
    assert job_data_converter(environ={}) is JOB_DATA_CONVERTER


@pytest.mark.parametrize(("env", "variable"), [
    ({"STARTJOB_ENCRYPTION_KEYS": f"k1{K1}"}, "STARTJOB_ENCRYPTION_KEYS"),
    ({"STARTJOB_ENCRYPTION_KEYS": f"k1:{K1[:-8]}"}, "STARTJOB_ENCRYPTION_KEYS"),
    ({"STARTJOB_ENCRYPTION_KEYS": "k1:" + base64.b64encode(b"short").decode()},
     "STARTJOB_ENCRYPTION_KEYS"),
    ({"STARTJOB_ENCRYPTION_KEYS": f"k1:{K1},k1:{K2}"}, "STARTJOB_ENCRYPTION_KEYS"),
    ({"STARTJOB_ENCRYPTION_KEYS": f"bad id:{K1}"}, "STARTJOB_ENCRYPTION_KEYS"),
    ({"STARTJOB_ENCRYPTION_KEYS": ","}, "STARTJOB_ENCRYPTION_KEYS"),
    ({"STARTJOB_ENCRYPTION_KEYS": f"k1:{K1}", "STARTJOB_ENCRYPTION_KEYS_FILE": "/x"},
     "STARTJOB_ENCRYPTION_KEYS_FILE"),
    ({"STARTJOB_ENCRYPTION_KEYS_FILE": "/nonexistent/keys"}, "STARTJOB_ENCRYPTION_KEYS_FILE"),
])
def test_bad_config_names_the_variable_never_the_key(env: dict[str, str], variable: str) -> None:
    with pytest.raises(EncryptionConfigError) as caught:
        EncryptionCodec.from_env(env)
    message = str(caught.value)
    assert variable in message
    assert K1 not in message and K2 not in message and K1[:-8] not in message


def test_the_converter_adds_codec_and_encrypted_failures_once() -> None:
    env = {"STARTJOB_ENCRYPTION_KEYS": f"k1:{K1}"}
    converter = job_data_converter(environ=env)
    assert isinstance(converter.payload_codec, EncryptionCodec)
    assert converter.failure_converter_class is DefaultFailureConverterWithEncodedAttributes
    assert converter.payload_converter_class is JOB_DATA_CONVERTER.payload_converter_class
    assert job_data_converter(converter, environ=env) is converter  # client and worker share it
