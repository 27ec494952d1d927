"""A server span per request, continuing the caller's trace and naming the order, and a client
span per call made with httpx, its trace context sent along. No servers: the app is called
through httpx's ASGI transport, spans go to a provider of the test's own."""

from contextlib import asynccontextmanager

import httpx
from fastapi import APIRouter
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from servicekit.client_spans import traced
from servicekit.tracing import instrument_app, tag_current_span
from servicekit.web import create_service_app
from tests.conftest import TEST_API_KEY
from tests.unit.tracing_helpers import provider_into, tracing_settings

ORDER_ID = "5f0c7a4e-8a52-4d3e-9a57-1c2b3d4e5f60"
NEW_ORDER_ID = "0e6d2b1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN_ID = "00f067aa0ba902b7"

router = APIRouter(prefix="/v1/orders")


@router.get("/{order_id}")
async def get_order(order_id: str) -> dict[str, str]:
    return {"id": order_id}


@router.post("", status_code=202)
async def place_order() -> dict[str, str]:
    tag_current_span(NEW_ORDER_ID)
    return {"id": NEW_ORDER_ID}


@router.delete("/{order_id}")
async def delete_order(order_id: str) -> None:
    raise RuntimeError("a bug")


@asynccontextmanager
async def no_lifespan(app):
    yield


@asynccontextmanager
async def traced_app(**settings: object):
    spans = InMemorySpanExporter()
    app = create_service_app("OrderService", "t", "1", no_lifespan, router, [TEST_API_KEY], {})
    instrument_app(app, tracing_settings(**settings), provider_into(spans))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    headers = {"X-API-Key": TEST_API_KEY}
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as c:
        yield c, spans


async def test_a_request_span_continues_the_callers_trace_and_names_the_order() -> None:
    traceparent = f"00-{TRACE_ID}-{CALLER_SPAN_ID}-01"
    async with traced_app() as (http, spans):
        answer = await http.get(f"/v1/orders/{ORDER_ID}", headers={"traceparent": traceparent})
    assert answer.status_code == 200
    [server] = spans.get_finished_spans()
    assert (server.name, server.kind) == ("GET /v1/orders/{order_id}", SpanKind.SERVER)
    assert format(server.context.trace_id, "032x") == TRACE_ID
    assert format(server.parent.span_id, "016x") == CALLER_SPAN_ID
    assert server.attributes["order.id"] == ORDER_ID


async def test_a_new_order_is_named_on_its_span_and_probes_are_not_traced() -> None:
    async with traced_app() as (http, spans):
        assert (await http.post("/v1/orders")).status_code == 202
        await http.get("/metrics")
        await http.get("/health/live")
    [server] = spans.get_finished_spans()
    assert server.name == "POST /v1/orders"
    assert server.attributes["order.id"] == NEW_ORDER_ID


async def test_a_failed_request_has_an_error_span() -> None:
    async with traced_app() as (http, spans):
        assert (await http.delete(f"/v1/orders/{ORDER_ID}")).status_code == 500
    [server] = spans.get_finished_spans()
    assert server.name == "DELETE /v1/orders/{order_id}"
    assert server.status.status_code == StatusCode.ERROR
    assert [event.name for event in server.events] == ["exception"]


async def test_a_call_to_another_service_is_a_client_span_whose_id_travels_with_it() -> None:
    spans = InMemorySpanExporter()
    tracer = provider_into(spans).get_tracer("test")
    sent: list[httpx.Request] = []

    async def send(transport, request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(503)

    request = httpx.Request("POST", "http://127.0.0.1:8001/v1/payments")
    with tracer.start_as_current_span("POST /v1/orders") as parent:
        answer = await traced(send, tracer)(httpx.AsyncHTTPTransport(), request)
    client, _caller = spans.get_finished_spans()
    assert answer.status_code == 503
    assert (client.name, client.kind, client.parent.span_id) == (
        "POST",
        SpanKind.CLIENT,
        parent.get_span_context().span_id,
    )
    assert client.attributes["url.full"] == "http://127.0.0.1:8001/v1/payments"
    assert client.attributes["http.response.status_code"] == 503
    assert client.status.status_code == StatusCode.ERROR
    trace_id, span_id = (
        format(client.context.trace_id, "032x"),
        format(client.context.span_id, "016x"),
    )
    assert sent[0].headers["traceparent"].startswith(f"00-{trace_id}-{span_id}-")


async def test_without_trace_reads_only_polls_go_untraced() -> None:
    traceparent = f"00-{TRACE_ID}-{CALLER_SPAN_ID}-01"
    async with traced_app(trace_reads=False) as (http, spans):
        await http.get(f"/v1/orders/{ORDER_ID}")  # a client polling: no span
        await http.get(f"/v1/orders/{ORDER_ID}", headers={"traceparent": traceparent})
        await http.post("/v1/orders")
    continued, placed = spans.get_finished_spans()
    assert format(continued.context.trace_id, "032x") == TRACE_ID
    assert placed.name == "POST /v1/orders"
