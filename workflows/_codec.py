"""Optional payload encryption: an AES-GCM `PayloadCodec`, so job settings and results sit in
Temporal's history (and pass through its servers) as ciphertext.

Turn it on for every client and worker in one step, by environment::

    STARTJOB_ENCRYPTION_KEYS="k2:<base64 of 32 bytes>,k1:<base64 of 32 bytes>"  # first = current
    # or STARTJOB_ENCRYPTION_KEYS_FILE=/run/secrets/startjob-keys (same format, one a line)

`job_data_converter` adds it, so `JobClient` and `JobWorker` share it. Encode always uses the
first (current) key and names it in the payload's `encryption-key-id` metadata, so payloads
written under an older key still decode while that key stays listed: to rotate, put the new key
first and keep the old ones until no history you still read holds them. Decode passes payloads
that are not `binary/encrypted` through unchanged, so turning encryption on leaves earlier
histories readable.

`cryptography` is imported only when a codec is built: the workflow sandbox re-imports this
package for every workflow, and a compiled extension cannot be imported twice.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

__all__ = [
    "ENCRYPTED_ENCODING",
    "ENV_ENCRYPTION_KEYS",
    "ENV_ENCRYPTION_KEYS_FILE",
    "KEY_ID_METADATA",
    "EncryptionCodec",
    "EncryptionConfigError",
    "PayloadDecryptionError",
    "generate_key",
]

ENV_ENCRYPTION_KEYS = "STARTJOB_ENCRYPTION_KEYS"
ENV_ENCRYPTION_KEYS_FILE = "STARTJOB_ENCRYPTION_KEYS_FILE"
ENCRYPTED_ENCODING = b"binary/encrypted"
KEY_ID_METADATA = "encryption-key-id"
NONCE_BYTES = 12  # AES-GCM's standard nonce; random per payload
KEY_BYTES = (16, 24, 32)  # AES-128/192/256; 32 recommended

_KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class EncryptionConfigError(ValueError):
    """The encryption keys in the environment (or their file) are invalid; the message names
    the variable and the key id, never a key's value. `node_bridge` raises it again as its
    `ConfigurationError`."""


class PayloadDecryptionError(ValueError):
    """An encrypted payload names a key that is not configured, or does not decrypt with it."""


class EncryptionCodec(PayloadCodec):
    """AES-GCM over each whole serialized payload (metadata included, so the original
    `encoding` is hidden too).

    Args:
        keys: `(key_id, key_bytes)` pairs; the first is used to encrypt, all to decrypt.
    """

    def __init__(self, keys: Sequence[tuple[str, bytes]]) -> None:
        if not keys:
            raise EncryptionConfigError("an EncryptionCodec needs at least one key")
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self._current = keys[0][0]
        self._ciphers = {key_id: AESGCM(secret) for key_id, secret in keys}

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> EncryptionCodec | None:
        """The codec `STARTJOB_ENCRYPTION_KEYS` or `STARTJOB_ENCRYPTION_KEYS_FILE` describes;
        `None` when neither is set (encryption off)."""
        env = os.environ if environ is None else environ
        inline = (env.get(ENV_ENCRYPTION_KEYS) or "").strip()
        path = (env.get(ENV_ENCRYPTION_KEYS_FILE) or "").strip()
        if inline and path:
            raise EncryptionConfigError(
                f"set {ENV_ENCRYPTION_KEYS} or {ENV_ENCRYPTION_KEYS_FILE}, not both")
        if path:
            try:
                text = Path(path).read_text(encoding="utf-8")
            except OSError as err:
                raise EncryptionConfigError(
                    f"{ENV_ENCRYPTION_KEYS_FILE}={path!r} cannot be read: "
                    f"{err.strerror or type(err).__name__}") from None
            return cls(parse_keys(text, ENV_ENCRYPTION_KEYS_FILE))
        if inline:
            return cls(parse_keys(inline, ENV_ENCRYPTION_KEYS))
        return None

    @property
    def current_key_id(self) -> str:
        return self._current

    @property
    def key_ids(self) -> list[str]:
        return list(self._ciphers)

    def __repr__(self) -> str:  # never the keys themselves
        return f"EncryptionCodec(key_ids={self.key_ids!r})"

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        cipher = self._ciphers[self._current]
        encoded = []
        for payload in payloads:
            nonce = os.urandom(NONCE_BYTES)
            sealed = cipher.encrypt(nonce, payload.SerializeToString(), None)
            encoded.append(Payload(
                metadata={"encoding": ENCRYPTED_ENCODING,
                          KEY_ID_METADATA: self._current.encode()},
                data=nonce + sealed,
            ))
        return encoded

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        from cryptography.exceptions import InvalidTag

        decoded = []
        for payload in payloads:
            if payload.metadata.get("encoding") != ENCRYPTED_ENCODING:
                decoded.append(payload)  # written before encryption was on
                continue
            key_id = payload.metadata.get(KEY_ID_METADATA, b"").decode("utf-8", "replace")
            cipher = self._ciphers.get(key_id)
            if cipher is None:
                raise PayloadDecryptionError(
                    f"payload encrypted with key id {key_id!r}, which is not among the "
                    f"configured keys {self.key_ids} ({ENV_ENCRYPTION_KEYS}): keep old keys "
                    "listed after a rotation")
            data = payload.data
            try:
                plain = cipher.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], None)
            except InvalidTag:
                raise PayloadDecryptionError(
                    f"payload does not decrypt with key {key_id!r}: the key changed "
                    "under the same id, or the payload was altered") from None
            original = Payload()
            original.ParseFromString(plain)
            decoded.append(original)
        return decoded


def parse_keys(text: str, source: str) -> list[tuple[str, bytes]]:
    """`id:base64key` entries separated by commas or newlines (`#` starts a comment);
    errors name `source` and the key id, never the key."""
    entries = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        entries += [e.strip() for e in line.split(",") if e.strip()]
    if not entries:
        raise EncryptionConfigError(f"{source} holds no keys: use id:base64key[,id:base64key]")
    keys: list[tuple[str, bytes]] = []
    for position, entry in enumerate(entries, start=1):
        key_id, sep, encoded = entry.partition(":")
        key_id = key_id.strip()
        if not sep or not _KEY_ID.fullmatch(key_id):
            raise EncryptionConfigError(
                f"{source}: entry {position} must be id:base64key, with an id of letters, "
                "digits, '.', '_' or '-' (at most 64)")
        if any(key_id == known for known, _ in keys):
            raise EncryptionConfigError(f"{source}: key id {key_id!r} appears twice")
        keys.append((key_id, _decode_key(encoded.strip(), key_id, source)))
    return keys


def generate_key() -> str:
    """A fresh random 256-bit key, base64-encoded, for `STARTJOB_ENCRYPTION_KEYS`."""
    return base64.b64encode(os.urandom(32)).decode()


def _decode_key(encoded: str, key_id: str, source: str) -> bytes:
    try:
        secret = base64.b64decode(encoded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise EncryptionConfigError(f"{source}: key {key_id!r} is not valid base64") from None
    if len(secret) not in KEY_BYTES:
        raise EncryptionConfigError(
            f"{source}: key {key_id!r} is {len(secret)} bytes; AES-GCM needs 16, 24 or 32 "
            "(generate one with `python -c \"import base64,os; "
            "print(base64.b64encode(os.urandom(32)).decode())\"`)")
    return secret
