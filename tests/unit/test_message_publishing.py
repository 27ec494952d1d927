"""Publishing traced and counted: the publish span, the context a message carries, the trace
context an outbox record keeps and is published in later (a fake broker takes the messages)."""

import uuid
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from opentelemetry.trace import SpanKind, StatusCode
from prometheus_client import REGISTRY

from servicekit.broker import BrokerUnavailable, EventPublisher
from servicekit.broker.publisher import build_message
from servicekit.contracts import status_event
from servicekit.outbox import OutboxRelay, event_record
from servicekit.outbox.records import publish_record
from tests.in_memory_spans import RecordedSpans, traceparent_ids


class FakeExchange:
    def __init__(self, name: str) -> None:
        self.name = name
        self.sent: list[tuple[str, Any]] = []

    async def publish(self, message: Any, routing_key: str, **options: Any) -> None:
        self.sent.append((routing_key, message))


class FakeBroker:
    """What the publisher uses of a BrokerConnection: always confirms, unless disconnected."""

    exchange_name = "unit-exchange"

    def __init__(self) -> None:
        self.exchange = FakeExchange(self.exchange_name)
        self.channel = SimpleNamespace(default_exchange=FakeExchange(""))
        self.is_connected = True


@pytest.fixture
def spans() -> RecordedSpans:
    return RecordedSpans()


@pytest.fixture
def broker() -> FakeBroker:
    return FakeBroker()


@pytest.fixture
def publisher(broker: FakeBroker, spans: RecordedSpans) -> EventPublisher:
    return EventPublisher(broker, tracer=spans.tracer)  # type: ignore[arg-type]


def published(routing_key: str, outcome: str) -> float:
    labels = {"routing_key": routing_key, "outcome": outcome}
    return REGISTRY.get_sample_value("messages_published_total", labels) or 0.0


def a_key() -> str:
    """A routing key of the test's own: its counters start at zero."""
    return f"order.unit{uuid.uuid4().hex[:8]}"


def test_an_event_record_keeps_the_trace_context_of_the_change_that_stored_it(spans) -> None:
    event = status_event("order.created", "*", "o-1", "c1")
    with spans.tracer.start_as_current_span("POST /v1/orders") as request:
        record = event_record(event, datetime.now(UTC))
    trace_id, span_id = traceparent_ids(record["trace"]["traceparent"])
    assert (trace_id, span_id) == (request.get_span_context().trace_id, request.context.span_id)
    assert event_record(event, datetime.now(UTC))["trace"] == {}  # no span: empty


async def test_a_stored_event_is_published_in_the_context_it_was_stored_in(
    spans, broker, publisher
) -> None:
    key = a_key()
    with spans.tracer.start_as_current_span("POST /v1/orders") as request:
        record = event_record(status_event(key, "*", "o-7", "c1"), datetime.now(UTC))
    await publish_record(publisher, record)  # later, from the sweep: no span is current

    publish = spans.one(f"publish {key}")
    assert publish.kind is SpanKind.PRODUCER
    assert publish.parent is not None and publish.parent.span_id == request.context.span_id
    assert publish.context.trace_id == request.context.trace_id
    assert dict(publish.attributes) == {
        "messaging.system": "rabbitmq",
        "messaging.destination.name": "unit-exchange",
        "messaging.rabbitmq.destination.routing_key": key,
        "messaging.message.id": record["id"],
        "order.id": "o-7",
        "messaging.outcome": "confirmed",
    }
    [(sent_key, message)] = broker.exchange.sent
    assert sent_key == key
    # The message names the publish span: its consumer's span is that span's child.
    assert traceparent_ids(message.headers["traceparent"]) == (
        publish.context.trace_id,
        publish.context.span_id,
    )
    assert published(key, "confirmed") == 1


async def test_the_fast_path_publishes_in_the_stored_context_whatever_is_current(
    spans, publisher
) -> None:
    key = a_key()
    with spans.tracer.start_as_current_span("PUT /v1/orders/o-8/cancel") as request:
        record = event_record(status_event(key, "*", "o-8", "c1"), datetime.now(UTC))
    relay = OutboxRelay(None, publisher, "unit")  # type: ignore[arg-type]  # no sweep here
    with spans.tracer.start_as_current_span("something else"):
        relay.publish_soon("o-8", [record])
    await relay.drain()
    publish = spans.one(f"publish {key}")
    assert publish.parent is not None and publish.parent.span_id == request.context.span_id


async def test_a_publish_while_disconnected_is_counted_unavailable(
    spans, broker, publisher
) -> None:
    key = a_key()
    broker.is_connected = False
    with pytest.raises(BrokerUnavailable):
        await publisher.publish(key, {"status": "x"})
    publish = spans.one(f"publish {key}")
    assert publish.attributes["messaging.outcome"] == "unavailable"
    assert publish.status.status_code is StatusCode.ERROR
    assert (published(key, "unavailable"), published(key, "confirmed")) == (1, 0)


async def test_a_forwarded_copy_keeps_its_headers_and_is_counted_under_the_queue(
    spans, broker, publisher
) -> None:
    queue = f"UnitQueue-{uuid.uuid4().hex[:8]}.retry.100"
    original = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    copy = build_message(b"{}", headers={"traceparent": original, "x-attempt": 1})
    with spans.tracer.start_as_current_span("consume order.created"):
        await publisher.forward(queue, copy, "o-9")
    [(sent_key, message)] = broker.channel.default_exchange.sent
    assert (sent_key, message.headers["traceparent"]) == (queue, original)
    publish = spans.one(f"publish {queue}")
    assert publish.attributes["messaging.destination.name"] == queue
    assert publish.attributes["order.id"] == "o-9"
    assert published(queue, "confirmed") == 1
