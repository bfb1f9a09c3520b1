"""Every refusal and every failure of the bridge itself answers a full Result body.

Malformed JSON is 400, a missing or mistyped field 422 (the message names the field), a route
that does not exist keeps its 404/405; all with code INVALID_SETTINGS, as nothing was launched.
A bug in the bridge answers 500 with code JOB_FAILED and the exception's class as `errorType`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .._codes import ErrorCode
from .._translate import ErrorContext
from ._responses import error_response

__all__ = [
    "ErrorsAsResults",
    "context_from_body",
    "install_error_handlers",
    "validation_error_response",
]

_log = logging.getLogger("startjob.bridge")
_LOCATIONS = {"body", "query", "path", "header"}


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_failed)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)


def context_from_body(body: Any) -> ErrorContext:
    """Whatever jobType and itemIndex the (possibly invalid) body names, for the error."""
    job_type, item_index = "", 0
    if isinstance(body, dict):
        if isinstance(body.get("jobType"), str):
            job_type = body["jobType"][:200]
        index = body.get("itemIndex")
        if isinstance(index, int) and not isinstance(index, bool) and index >= 0:
            item_index = index
    return ErrorContext(job_type=job_type, item_index=item_index)


async def _validation_failed(request: Request, exc: RequestValidationError) -> JSONResponse:
    return validation_error_response(exc.errors(), exc.body,
                                     request.headers.get("content-type", ""))


def validation_error_response(errors: Sequence[dict[str, Any]], body: Any,
                              content_type: str) -> JSONResponse:
    """400 for malformed JSON, 422 naming each missing or mistyped field: the answer for a
    request body that did not validate, whichever path (`StartJobEndpoint` or a FastAPI
    route) parsed it. `errors` are pydantic's, their `loc` starting with "body"."""
    context = context_from_body(body)
    malformed = next((e for e in errors if e.get("type") == "json_invalid"), None)
    if malformed is not None:
        position = malformed["loc"][-1] if len(malformed["loc"]) > 1 else "?"
        reason = (malformed.get("ctx") or {}).get("error", "not valid JSON")
        return error_response(
            ErrorCode.INVALID_SETTINGS,
            f"malformed JSON in the request body at character {position}: {reason}",
            context, status=400, error_type="MalformedJSON",
        )
    details = [{"loc": [str(p) for p in e["loc"]], "msg": e["msg"], "type": e["type"]}
               for e in errors]
    problems = "; ".join(_describe(e, content_type) for e in errors)
    return error_response(ErrorCode.INVALID_SETTINGS, f"invalid request: {problems}", context,
                          status=422, error_type="ValidationError", details=details)


def _describe(error: dict[str, Any], content_type: str) -> str:
    loc = [str(p) for p in error["loc"]]
    where = loc[0] if loc and loc[0] in _LOCATIONS else "body"
    field = ".".join(loc[1:] if loc and loc[0] in _LOCATIONS else loc)
    if not field:
        hint = "" if "json" in content_type else " (send Content-Type: application/json)"
        return f"the {where} must be a JSON object{hint}: {error['msg']}"
    suffix = "" if where == "body" else f" ({where} parameter)"
    return f"{field}{suffix}: {error['msg']}"


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    if exc.status_code == 404:
        message = f"no such endpoint: {request.method} {request.url.path}"
    elif exc.status_code == 405:
        message = f"method {request.method} is not allowed on {request.url.path}"
    else:
        message = str(exc.detail)
    response = error_response(ErrorCode.INVALID_SETTINGS, message, ErrorContext("", 0),
                              status=exc.status_code, error_type="HTTPException")
    response.headers.update(exc.headers or {})
    return response


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    return unexpected_error_response(request.method, request.url.path, exc)


def unexpected_error_response(method: str, path: str, exc: Exception) -> JSONResponse:
    """500 for a bug in the bridge: logged with its traceback, answered as a Result."""
    _log.error("bridge error on %s %s", method, path, exc_info=exc)
    return error_response(
        ErrorCode.JOB_FAILED, f"the bridge failed: {type(exc).__name__}: {exc}",
        ErrorContext("", 0), status=500, error_type=type(exc).__name__,
    )


class ErrorsAsResults:
    """Pure ASGI middleware: a bug in the layers in front of FastAPI (the guards,
    `StartJobEndpoint`) answers the same 500 Result as one in a route, while no response has
    started; after that the connection is closed by the server, as for any ASGI app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:
            if started:
                raise
            response = unexpected_error_response(scope["method"], scope["path"], exc)
            await response(scope, receive, send)
