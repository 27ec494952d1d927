"""FastAPI pieces every service shares: API key check, health routes, error answers, body limit."""

import hmac
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request, Security
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from fastapi.telemetry import TelemetryConfig
from loguru import logger

from servicekit.api_docs import mount_api_docs
from servicekit.http import API_KEY_HEADER, UpstreamError
from servicekit.metrics import RequestMetrics, metrics_router

_api_key_header = APIKeyHeader(name=API_KEY_HEADER, auto_error=False)
NO_NATIVE_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def api_key_guard(accepted_keys: Sequence[str]) -> Callable[..., Awaitable[None]]:
    """A dependency that answers 401 unless the request carries an accepted X-API-Key."""
    if isinstance(accepted_keys, str):  # one key passed bare would be split into characters
        raise TypeError("api_key_guard takes a list of keys")
    accepted = [key.encode() for key in accepted_keys]

    async def check(api_key: str | None = Security(_api_key_header)) -> None:
        # compare_digest takes the same time whatever the key, and every accepted key is
        # compared, so the answer time tells nothing about the keys.
        given = (api_key or "").encode()
        matches = [hmac.compare_digest(given, key) for key in accepted]
        if api_key is None or not any(matches):
            raise HTTPException(
                status_code=401,
                detail=f"missing or wrong {API_KEY_HEADER} header",
                headers={"WWW-Authenticate": "ApiKey"},
            )

    return check


def health_router(
    full_report: Callable[[], Awaitable[dict[str, Any]]],
    readiness: Callable[[], Awaitable[dict[str, Any]]],
) -> APIRouter:
    """`/health` (every resource), `/health/live` (the process answers), `/health/ready`."""
    router = APIRouter(tags=["health"])

    @router.get("/health", summary="Full report: every resource this service uses")
    async def health() -> JSONResponse:
        report = await full_report()
        return JSONResponse(report, status_code=200 if report["status"] == "pass" else 503)

    @router.get("/health/live", summary="Liveness: the process answers (no dependency checks)")
    async def live() -> dict[str, str]:
        return {"status": "pass"}

    @router.get("/health/ready", summary="Readiness: database reachable and consumer running")
    async def ready() -> JSONResponse:
        report = await readiness()
        return JSONResponse(report, status_code=200 if report["status"] == "pass" else 503)

    return router


def create_service_app(
    title: str,
    description: str,
    version: str,
    lifespan: Any,
    api: APIRouter,
    api_keys: Sequence[str],
    business_errors: dict[type[Exception], int],
    called_services: Sequence[str] = (),
    max_body_bytes: int = 64 * 1024,
) -> FastAPI:
    """A FastAPI app with what every service shares: the API behind the X-API-Key check, the
    health routes (reading `app.state.infra`, set by the lifespan), `/metrics`, a body limit,
    and error answers, each business error type with its status code and message."""
    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        max_body_size=max_body_bytes,
        # FastAPI's own OpenTelemetry spans and metrics start as soon as a tracer provider is
        # set: servicekit.tracing makes the request spans, Prometheus the metrics.
        telemetry=NO_NATIVE_TELEMETRY,
        docs_url=None,  # served by mount_api_docs from local assets, not from a CDN
        redoc_url=None,
    )
    mount_api_docs(app)
    app.include_router(api, dependencies=[Depends(api_key_guard(api_keys))])
    app.include_router(
        health_router(
            lambda: app.state.infra.health_report(called_services),
            lambda: app.state.infra.readiness(),
        )
    )
    app.include_router(metrics_router())
    app.add_middleware(RequestMetrics)
    install_error_handlers(app)

    async def business_error(request: Request, error: Exception) -> JSONResponse:
        status = next(code for kind, code in business_errors.items() if isinstance(error, kind))
        return JSONResponse({"detail": str(error)}, status_code=status)

    for kind in business_errors:
        app.add_exception_handler(kind, business_error)
    return app


def install_error_handlers(app: FastAPI) -> None:
    """422 with the field errors for bad input, the fitting 5xx when another service failed,
    and a clear 500 body (no stack trace) for bugs."""

    @app.exception_handler(UpstreamError)
    async def upstream_error(request: Request, error: UpstreamError) -> JSONResponse:
        logger.warning("{} {}: {}", request.method, request.url.path, error)
        return JSONResponse({"detail": str(error)}, status_code=error.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(item.get("loc", ())), "msg": item.get("msg"), "type": item.get("type")}
            for item in error.errors()
        ]
        return JSONResponse({"detail": errors}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, error: Exception) -> JSONResponse:
        path = request.url.path
        logger.opt(exception=error).error("Unhandled error on {} {}", request.method, path)
        return JSONResponse({"detail": "internal error; see the service log"}, status_code=500)
