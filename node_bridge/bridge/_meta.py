"""Routes about the bridge itself: the job types it can launch, liveness and readiness."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from workflows import resolve_job_options

from .._codes import ErrorCode
from .._translate import ErrorContext, job_error_from_exception
from ._models import Health, JobTypeInfo, JobTypeList
from ._openapi import ERROR_RESPONSES
from ._responses import error_response, failure_response
from ._state import bridge_state

__all__ = ["HEALTH_PATHS", "READY_CHECK_TIMEOUT", "router"]

router = APIRouter()

READY_CHECK_TIMEOUT = timedelta(seconds=2)
"""A readiness probe must answer quickly even when Temporal hangs."""
HEALTH_PATHS = ("/healthz", "/readyz")
"""Open without a token: orchestrators probe them without credentials."""


@router.get("/v1/job-types", tags=["job types"], response_model=JobTypeList,
            responses={401: ERROR_RESPONSES[401]})
async def job_types(request: Request) -> JobTypeList:
    """The job types this bridge can launch: JSON Schemas of settings and result, and the retry
    defaults and timeouts they run with (ops overrides applied)."""
    client = bridge_state(request).client
    infos = [
        JobTypeInfo.describe(
            definition.name, definition.description, definition.settings_json_schema(),
            definition.result_json_schema(),
            resolve_job_options(definition, overrides=client.overrides),
            client.config.task_queue,
        )
        for definition in client.registry
    ]
    return JobTypeList(job_types=infos)


@router.get("/healthz", tags=["health"], response_model=Health)
async def healthz() -> Health:
    """Liveness: the process serves HTTP. Says nothing about Temporal (see /readyz)."""
    return Health()


@router.get("/readyz", tags=["health"], response_model=Health,
            responses={503: ERROR_RESPONSES[503]})
async def readyz(request: Request) -> Response:
    """Readiness: Temporal answers a health check within a short timeout."""
    service = bridge_state(request).client.temporal_client.service_client
    context = ErrorContext(job_type="", item_index=0)
    seconds = READY_CHECK_TIMEOUT.total_seconds()
    try:
        healthy = await asyncio.wait_for(service.check_health(timeout=READY_CHECK_TIMEOUT),
                                         seconds + 1)
    except TimeoutError:
        return error_response(ErrorCode.UNAVAILABLE,
                              f"Temporal did not answer a health check within {seconds:g}s",
                              context, error_type="TimeoutError")
    except Exception as err:
        error = job_error_from_exception(err, context)
        if error.code is not ErrorCode.UNAVAILABLE:
            error = error.model_copy(update={"code": ErrorCode.UNAVAILABLE, "retryable": True})
        return failure_response(error, ErrorCode.UNAVAILABLE.http_status)
    if not healthy:
        return error_response(ErrorCode.UNAVAILABLE, "Temporal reports it is not serving",
                              context, error_type="NotServing")
    return JSONResponse(Health().model_dump(), status_code=200)
