"""A codec server on the bridge: `POST /codec/encode` and `POST /codec/decode` in Temporal's
codec-server format, so the Temporal UI (and `temporal` CLI) can show payloads that startjob
encrypted, to whoever may call the bridge.

    {"payloads": [{"metadata": {"encoding": "<base64>", ...}, "data": "<base64>"}]}

The codec is the bridge client's own (`STARTJOB_ENCRYPTION_KEYS`), so the endpoints decode
exactly what its workers wrote. They sit behind the bridge's bearer token like every route but
the health probes; `CodecCors` lets the browser pages of the configured UI origins
(`STARTJOB_CODEC_CORS_ORIGINS`) call them. docs/deploy.md says how to point the UI here.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send
from temporalio.api.common.v1 import Payload

from workflows import ENV_ENCRYPTION_KEYS, PayloadDecryptionError

from .._codes import ErrorCode
from .._translate import ErrorContext
from ._openapi import ERROR_RESPONSES
from ._responses import error_response
from ._state import bridge_state

__all__ = ["CODEC_PREFIX", "CodecCors", "CodecPayload", "CodecPayloads", "router"]

CODEC_PREFIX = "/codec"
_ALLOWED_HEADERS = ["Authorization", "Content-Type", "X-Namespace"]  # what the UI sends
_NO_CONTEXT = ErrorContext(job_type="", item_index=0)

router = APIRouter(prefix=CODEC_PREFIX, tags=["codec"])


class CodecPayload(BaseModel):
    """One Temporal `Payload` in protobuf JSON: bytes as base64."""

    metadata: dict[str, str] = Field(default_factory=dict)
    data: str = ""


class CodecPayloads(BaseModel):
    payloads: list[CodecPayload]


class _BadPayload(ValueError):
    pass


@router.post("/encode", response_model=CodecPayloads,
             responses={k: ERROR_RESPONSES[k] for k in (400, 401, 422)})
async def encode(body: CodecPayloads, request: Request) -> Response:
    """Encrypt payloads with the current key (what a worker would store)."""
    return await _apply(request, body, decode=False)


@router.post("/decode", response_model=CodecPayloads,
             responses={k: ERROR_RESPONSES[k] for k in (400, 401, 422)})
async def decode(body: CodecPayloads, request: Request) -> Response:
    """Decrypt payloads (any configured key); payloads that are not encrypted come back as
    they are."""
    return await _apply(request, body, decode=True)


async def _apply(request: Request, body: CodecPayloads, *, decode: bool) -> Response:
    codec = bridge_state(request).client.temporal_client.data_converter.payload_codec
    if codec is None:
        return error_response(
            ErrorCode.INVALID_SETTINGS,
            f"payload encryption is off on this bridge: set {ENV_ENCRYPTION_KEYS} to use the "
            "codec endpoints", _NO_CONTEXT, status=404, error_type="NoPayloadCodec")
    try:
        payloads = [_to_payload(p, i) for i, p in enumerate(body.payloads)]
        converted = await (codec.decode(payloads) if decode else codec.encode(payloads))
    except (_BadPayload, PayloadDecryptionError) as err:
        return error_response(ErrorCode.INVALID_SETTINGS, str(err), _NO_CONTEXT, status=400,
                              error_type=type(err).__name__.lstrip("_"))
    out = CodecPayloads(payloads=[_from_payload(p) for p in converted])
    return JSONResponse(out.model_dump())


def _to_payload(payload: CodecPayload, index: int) -> Payload:
    try:
        return Payload(metadata={k: _b64(v) for k, v in payload.metadata.items()},
                       data=_b64(payload.data))
    except (binascii.Error, ValueError):
        raise _BadPayload(f"payloads[{index}]: metadata values and data must be base64") from None


def _from_payload(payload: Payload) -> CodecPayload:
    return CodecPayload(
        metadata={k: base64.b64encode(v).decode() for k, v in payload.metadata.items()},
        data=base64.b64encode(payload.data).decode())


def _b64(text: str) -> bytes:
    """Protobuf JSON accepts standard or URL-safe base64, padded or not."""
    normal = text.replace("-", "+").replace("_", "/")
    return base64.b64decode(normal + "=" * (-len(normal) % 4), validate=True)


class CodecCors:
    """CORS for `/codec/*` only: the UI's browser pages may call the codec, never the job
    routes. Outermost, so preflights (which carry no token) are answered before the token
    check, while the real requests still need it."""

    def __init__(self, app: ASGIApp, *, origins: Iterable[str]) -> None:
        self.app = app
        self._cors = CORSMiddleware(app, allow_origins=list(origins), allow_methods=["POST"],
                                    allow_headers=_ALLOWED_HEADERS, allow_credentials=True,
                                    max_age=600)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(CODEC_PREFIX + "/"):
            await self._cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
