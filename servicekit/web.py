"""FastAPI pieces every service shares: API key check, health routes, error answers, body limit."""

import hmac
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request, Security
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.security import APIKeyHeader
from fastapi.telemetry import TelemetryConfig
from loguru import logger
from starlette.routing import Match, Route

from servicekit.api_docs import mount_api_docs
from servicekit.http import API_KEY_HEADER, UpstreamError
from servicekit.metrics import RequestMetrics, metrics_router
from servicekit.mongo import DATABASE_UNAVAILABLE, unavailable_reason
from servicekit.openapi_responses import API_RESPONSES, LIVE, METRICS, health_responses

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


async def single_query_values(request: Request) -> None:
    """422 for a query parameter given twice: FastAPI would keep one value and drop the other
    silently (no route of ours takes a list in the query)."""
    counts = Counter(name for name, _ in request.query_params.multi_items())
    repeated = sorted(name for name, count in counts.items() if count > 1)
    if repeated:
        msg = "Give this parameter once"
        raise RequestValidationError(
            [{"loc": ("query", name), "msg": msg, "type": "repeated"} for name in repeated]
        )


def health_router(
    full_report: Callable[[], Awaitable[dict[str, Any]]],
    readiness: Callable[[], Awaitable[dict[str, Any]]],
    service: str,
) -> APIRouter:
    """`/health` (every resource), `/health/live` (the process answers), `/health/ready`."""
    router = APIRouter(tags=["health"])

    @router.get(
        "/health",
        summary="Full report: every resource this service uses",
        responses=health_responses(service),
    )
    async def health() -> JSONResponse:
        report = await full_report()
        return JSONResponse(report, status_code=200 if report["status"] == "pass" else 503)

    @router.get(
        "/health/live",
        summary="Liveness: the process answers (no dependency checks)",
        responses=LIVE,
    )
    async def live() -> dict[str, str]:
        return {"status": "pass"}

    @router.get(
        "/health/ready",
        summary="Readiness: database reachable and consumer running",
        responses=health_responses(),
    )
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
    database_retry_after_s: int = 5,
    signed_api: APIRouter | None = None,
) -> FastAPI:
    """A FastAPI app with what every service shares: the API behind the X-API-Key check (and
    `signed_api`, whose routes check their callers' signatures instead), the health routes
    (reading `app.state.infra`, set by the lifespan), `/metrics`, a body limit, and error
    answers, each business error type with its status code and message."""
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
    guards = [Depends(api_key_guard(api_keys)), Depends(single_query_values)]
    app.include_router(api, dependencies=guards, responses=API_RESPONSES)
    if signed_api is not None:
        app.include_router(signed_api)
    routers = [api] if signed_api is None else [api, signed_api]
    app.add_exception_handler(405, method_not_allowed(routers))
    app.include_router(
        health_router(
            lambda: app.state.infra.health_report(called_services),
            lambda: app.state.infra.readiness(),
            title,
        )
    )
    # Prometheus's text format, declared as such (the route answers with its own content type).
    app.include_router(
        metrics_router(), default_response_class=PlainTextResponse, responses=METRICS
    )
    app.add_middleware(RequestMetrics)
    install_error_handlers(app, database_retry_after_s)

    async def business_error(request: Request, error: Exception) -> JSONResponse:
        status = next(code for kind, code in business_errors.items() if isinstance(error, kind))
        return JSONResponse({"detail": str(error)}, status_code=status)

    for kind in business_errors:
        app.add_exception_handler(kind, business_error)
    return app


def method_not_allowed(
    routers: Sequence[APIRouter],
) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    """405 naming in Allow every method the routers have for the path: Starlette names only
    those of the first route with the path (and keeps its own Allow for other routes)."""

    async def answer(request: Request, error: Exception) -> JSONResponse:
        allowed = {
            method
            for router in routers
            for route in router.routes
            if isinstance(route, Route) and route.matches(request.scope)[0] != Match.NONE
            for method in route.methods or ()
        }
        given = getattr(error, "headers", None) or {}
        allow = ", ".join(sorted(allowed)) if allowed else given.get("Allow", "")
        return JSONResponse(
            {"detail": "Method Not Allowed"}, status_code=405, headers={"Allow": allow}
        )

    return answer


def install_error_handlers(app: FastAPI, database_retry_after_s: int = 5) -> None:
    """422 with the field errors for bad input, the fitting 5xx when another service failed,
    503 with Retry-After while the database cannot be reached, and a clear 500 body (no stack
    trace) for bugs."""

    async def database_unavailable(request: Request, error: Exception) -> JSONResponse:
        path, reason = request.url.path, unavailable_reason(error)
        logger.warning("{} {}: 503, database unavailable: {}", request.method, path, reason)
        return JSONResponse(
            {"detail": "the database is unavailable; try again later"},
            status_code=503,
            headers={"Retry-After": str(database_retry_after_s)},
        )

    for kind in DATABASE_UNAVAILABLE:
        app.add_exception_handler(kind, database_unavailable)

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
