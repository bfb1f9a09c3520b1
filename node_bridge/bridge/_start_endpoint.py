"""`StartJobEndpoint`: `POST /v1/jobs` served as plain ASGI, in front of FastAPI.

`POST /v1/jobs` is the call every node makes and the one that waits, often for minutes. Through
FastAPI's routing it paid for the router, three `AsyncExitStack`s, dependency solving and the
`Request` object on every call, and kept their frames alive for the whole wait: about a third of
the bridge's memory per waiting call and of its added latency (docs/performance.md). Here the
body is read, parsed and validated as FastAPI would, with the same answers (400 malformed JSON,
422 naming the field) from the same formatter, and `launch` is the same code the FastAPI route
runs. It sits inside the bridge's guards (token, body limit, per-client limit, tracing), so they
apply to it unchanged, and outside the FastAPI app (`BridgeApp`), whose own middleware stack it
never enters; a bug still answers a 500 Result (`ErrorsAsResults`).
"""

from __future__ import annotations

import email.message
import json
from typing import Any

from pydantic import ValidationError
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ._errors import validation_error_response
from ._jobs import JOBS_PATH, launch
from ._models import StartJobRequest
from ._state import BridgeState

__all__ = ["StartJobEndpoint"]


class StartJobEndpoint:
    """Pure ASGI middleware answering `POST /v1/jobs`; every other request passes through."""

    def __init__(self, app: ASGIApp, *, state: BridgeState) -> None:
        self.app = app
        self._state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != JOBS_PATH:
            await self.app(scope, receive, send)
            return
        response = await self._answer(scope, receive)
        await response(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive) -> Response:
        request = await _read_request(scope, receive)
        if isinstance(request, Response):
            return request
        waiting = launch(self._state, request)
        del request  # `launch` lets go of it once the job started (docs/performance.md)
        return await waiting


async def _read_request(scope: Scope, receive: Receive) -> StartJobRequest | Response:
    """The validated body, or the 400/422 answer. A function of its own, so the raw and the
    parsed body are garbage before the call starts waiting."""
    content_type = _header(scope, b"content-type")
    body, errors = _parse(await _read_body(receive), content_type)
    if errors:
        return validation_error_response(errors, body, content_type)
    try:
        return StartJobRequest.model_validate(body)
    except ValidationError as invalid:
        located = [{**error, "loc": ("body", *error["loc"])} for error in invalid.errors()]
        return validation_error_response(located, body, content_type)


async def _read_body(receive: Receive) -> bytes:
    """The whole body; `BodyLimit`, outside this middleware, already bounded its size."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client went away: an empty body, which validates to nothing
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _parse(raw: bytes, content_type: str) -> tuple[Any, list[dict[str, Any]]]:
    """The body as FastAPI reads a JSON body parameter: parsed when it is non-empty and its
    Content-Type is JSON; kept as bytes otherwise (so it fails as "not an object"); missing
    when empty."""
    if not raw:
        return None, [{"type": "missing", "loc": ("body",), "msg": "Field required"}]
    if not _is_json(content_type):
        return raw, []
    try:
        return json.loads(raw), []
    except json.JSONDecodeError as err:
        return err.doc, [{"type": "json_invalid", "loc": ("body", err.pos),
                          "msg": "JSON decode error", "ctx": {"error": err.msg}}]
    except UnicodeDecodeError as err:
        return None, [{"type": "json_invalid", "loc": ("body", err.start),
                       "msg": "JSON decode error", "ctx": {"error": "not UTF-8"}}]


def _is_json(content_type: str) -> bool:
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    if message.get_content_maintype() != "application":
        return False
    subtype = message.get_content_subtype()
    return subtype == "json" or subtype.endswith("+json")


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return ""
