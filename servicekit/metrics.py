"""Prometheus metrics of a service process: the HTTP requests it answers and the calls it makes.

`GET /metrics` serves them in Prometheus' text format (open, like /health). Requests are counted
by route template (`/v1/orders/{order_id}`, never the raw path: one series per route, not per
order), method and status, with a latency histogram; calls to other services by service, method
and outcome. Counting costs a few microseconds per request, a log line about a hundred.
"""

import time
from typing import Any

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from prometheus_client.metrics import MetricWrapperBase
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
CALLS = Counter(
    "http_client_requests_total",
    "Calls made to other services and outside APIs",
    ["service", "method", "outcome"],
)


class RequestMetrics:
    """Pure ASGI middleware: counts each answered request under the route it matched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            labelled(HTTP_REQUESTS, scope["method"], route, str(status)).inc()
            labelled(HTTP_LATENCY, scope["method"], route).observe(time.perf_counter() - began)


def metrics_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/metrics", summary="Prometheus metrics (text format)")
    async def metrics() -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return router


def count_call(service: str, method: str, outcome: Any) -> None:
    """One call to `service` ended with `outcome` (a status code or an error kind)."""
    labelled(CALLS, service, method, str(outcome)).inc()


_children: dict[tuple[MetricWrapperBase, tuple[str, ...]], Any] = {}


def labelled(metric: MetricWrapperBase, *labels: str) -> Any:
    """`metric.labels(*labels)`, looked up once per label set (it is on every request and
    message; prometheus-client's own lookup takes a lock and validates the labels each time)."""
    key = (metric, labels)
    child = _children.get(key)
    if child is None:
        child = _children[key] = metric.labels(*labels)
    return child
