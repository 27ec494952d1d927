"""A client span per call made with any httpx AsyncClient, its traceparent sent with the call.

Our own small wrapper of `httpx.AsyncHTTPTransport.handle_async_request` (the transport behind
every pooled async client) rather than the generic httpx instrumentation: a little cheaper per
call, and its attributes named like the server spans'. Sync clients are not traced (the services
make none).
"""

from collections.abc import Awaitable, Callable

import httpx
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, StatusCode, Tracer

from servicekit.server_spans import UNTRACED_PATHS

Send = Callable[[httpx.AsyncHTTPTransport, httpx.Request], Awaitable[httpx.Response]]


def traced(send: Send, tracer: Tracer) -> Send:
    """`send` in a CLIENT span named by the method, the trace context added to the headers."""

    async def handle_async_request(
        transport: httpx.AsyncHTTPTransport, request: httpx.Request
    ) -> httpx.Response:
        url = request.url
        if url.path in UNTRACED_PATHS:  # health probes, as on the server side
            return await send(transport, request)
        attributes = {
            "http.request.method": request.method,
            "url.full": str(url),
            "server.address": url.host,
        }
        if url.port:
            attributes["server.port"] = url.port
        span = tracer.start_span(request.method, kind=SpanKind.CLIENT, attributes=attributes)
        with trace.use_span(span, end_on_exit=True):  # records an exception, status ERROR
            propagate.inject(request.headers)
            response = await send(transport, request)
            span.set_attribute("http.response.status_code", response.status_code)
            if response.status_code >= 500:
                span.set_status(StatusCode.ERROR)
            return response

    handle_async_request.traced = True  # type: ignore[attr-defined]
    return handle_async_request


def trace_httpx_calls(tracer: Tracer) -> None:
    """Wrap the async transport of every httpx client, once per process."""
    send = httpx.AsyncHTTPTransport.handle_async_request
    if not getattr(send, "traced", False):
        httpx.AsyncHTTPTransport.handle_async_request = traced(send, tracer)  # type: ignore[method-assign]
