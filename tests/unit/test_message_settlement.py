"""How a consumed message is settled, counted and traced, with a fake delivery and publisher."""

import asyncio
import uuid
from typing import Any

import pytest
import ujson
from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode
from prometheus_client import REGISTRY

from servicekit.broker import BrokerUnavailable, InboundMessage, Route, ServiceQueue, subscriber
from servicekit.broker.in_flight import InFlight
from servicekit.broker.metrics import in_flight_gauge, track_subscription
from servicekit.broker.settlement import MessageHandler, Settlement
from servicekit.broker.spans import with_trace_context
from servicekit.contracts import StatusMessage
from tests.in_memory_spans import RecordedSpans, traceparent_ids


class FakeDelivery:
    """What the settlement reads of an aio-pika incoming message, and how it was settled."""

    def __init__(
        self, body: Any, routing_key: str = "order.created", headers: dict | None = None
    ) -> None:
        self.body = body if isinstance(body, bytes) else ujson.dumps(body).encode()
        self.routing_key = routing_key
        self.headers = headers or {}
        self.exchange = "unit-exchange"
        self.message_id = str(uuid.uuid4())
        self.content_type = "application/json"
        self.timestamp = None
        self.settled: list[str] = []

    async def ack(self) -> None:
        self.settled.append("ack")

    async def nack(self, requeue: bool = True) -> None:
        self.settled.append("nack")


class FakePublisher:
    """Parks failed copies in memory, or refuses them like a broker that is away."""

    def __init__(self, tracer: trace.Tracer, refuse: bool = False) -> None:
        self.tracer = tracer
        self.refuse = refuse
        self.forwarded: list[tuple[str, Any]] = []

    async def forward(self, queue: str, message: Any, order_id: str | None = None) -> None:
        if self.refuse:
            raise BrokerUnavailable("broker down (test)")
        self.forwarded.append((queue, message))


@pytest.fixture
def spans() -> RecordedSpans:
    return RecordedSpans()


@pytest.fixture
def queue() -> ServiceQueue:
    """A queue name of the test's own: its counters start at zero."""
    return ServiceQueue(f"UnitQueue-{uuid.uuid4().hex[:8]}", ["order.*"], retry_delays_ms=(1, 2))


def body(order_id: str = "o-1", status: str = "created") -> dict:
    metadata = {"receiver": "Unit", "order_id": order_id, "customer_id": "c1"}
    return {"status": status, "metadata": metadata}


def consumed(queue: ServiceQueue, outcome: str, routing_key: str = "order.created") -> float:
    labels = {"queue": queue.name, "routing_key": routing_key, "outcome": outcome}
    return REGISTRY.get_sample_value("messages_consumed_total", labels) or 0.0


async def settle(
    spans: RecordedSpans, queue: ServiceQueue, handler: MessageHandler, delivery: FakeDelivery
) -> FakePublisher:
    publisher = FakePublisher(spans.tracer)
    await Settlement(publisher, queue, handler).run(delivery)  # type: ignore[arg-type]
    return publisher


def returning(value: object) -> MessageHandler:
    async def handler(message: InboundMessage) -> object:
        return value

    return handler


async def failing(message: InboundMessage) -> None:
    raise RuntimeError("kitchen API answered 500")


async def test_a_handled_message_is_acked_and_counted_as_ack(spans, queue) -> None:
    delivery = FakeDelivery(body())
    await settle(spans, queue, returning(None), delivery)
    assert delivery.settled == ["ack"]
    assert consumed(queue, "ack") == 1
    assert consumed(queue, "ignored") == 0
    labels = {"queue": queue.name, "routing_key": "order.created"}
    assert REGISTRY.get_sample_value("message_handling_seconds_count", labels) == 1


async def test_a_message_its_handler_ignores_is_acked_and_counted_as_ignored(spans, queue) -> None:
    delivery = FakeDelivery(body())
    await settle(spans, queue, returning(False), delivery)
    assert delivery.settled == ["ack"]
    assert (consumed(queue, "ignored"), consumed(queue, "ack")) == (1, 0)
    assert spans.one("consume order.created").attributes["messaging.outcome"] == "ignored"


async def test_a_failing_handler_counts_retries_then_a_dead_letter(spans, queue) -> None:
    first = FakeDelivery(body())
    publisher = await settle(spans, queue, failing, first)
    # Back from its last retry queue: sent to the work queue by name, the key in a header.
    last = FakeDelivery(body(), routing_key=queue.name, headers={"x-attempt": 2})
    last.headers["x-original-routing-key"] = "order.created"
    dead = await settle(spans, queue, failing, last)
    assert [target for target, _ in publisher.forwarded] == [queue.retry_queue(0)]
    assert [target for target, _ in dead.forwarded] == [queue.dead_letter_queue]
    assert first.settled == last.settled == ["ack"]
    # Counted under the key the message was first sent with, not the retry queue's name.
    assert (consumed(queue, "retry"), consumed(queue, "dead_lettered")) == (1, 1)


async def test_a_malformed_message_is_counted_as_malformed_and_not_retried(spans, queue) -> None:
    delivery = FakeDelivery(b"this is not json")
    publisher = await settle(spans, queue, returning(None), delivery)
    assert [target for target, _ in publisher.forwarded] == [queue.dead_letter_queue]
    assert (consumed(queue, "malformed"), consumed(queue, "dead_lettered")) == (1, 0)
    consume = spans.one("consume order.created")
    assert consume.status.status_code is StatusCode.ERROR
    assert "order.id" not in consume.attributes


async def test_a_copy_that_cannot_be_parked_leaves_the_message_to_be_retried(spans, queue) -> None:
    delivery = FakeDelivery(body())
    publisher = FakePublisher(spans.tracer, refuse=True)
    await Settlement(publisher, queue, failing).run(delivery)  # type: ignore[arg-type]
    assert delivery.settled == ["nack"]  # back on the queue, delivered again later
    assert (consumed(queue, "retry"), consumed(queue, "ack")) == (1, 0)


async def test_the_handler_runs_inside_a_consume_span_continuing_the_message_trace(
    spans, queue
) -> None:
    with spans.tracer.start_as_current_span("publish order.created") as producer:
        headers = with_trace_context({"x-original-routing-key": "order.created"})
    seen: list[trace.SpanContext] = []

    async def handler(message: InboundMessage) -> None:
        seen.append(trace.get_current_span().get_span_context())

    delivery = FakeDelivery(body("o-42"), routing_key=queue.name, headers=headers)
    await settle(spans, queue, handler, delivery)

    consume = spans.one("consume order.created")
    assert consume.kind is SpanKind.CONSUMER
    assert consume.parent is not None
    assert consume.parent.span_id == producer.get_span_context().span_id
    assert consume.context.trace_id == producer.get_span_context().trace_id
    assert seen == [consume.context]  # the handler's logs and calls join the trace
    assert dict(consume.attributes) == {
        "messaging.system": "rabbitmq",
        "messaging.destination.name": queue.name,
        "messaging.rabbitmq.destination.routing_key": "order.created",
        "messaging.message.id": delivery.message_id,
        "messaging.rabbitmq.attempt": 0,
        "order.id": "o-42",
        "messaging.outcome": "ack",
    }


async def test_a_retry_copy_keeps_the_trace_context_of_the_message(spans, queue) -> None:
    with spans.tracer.start_as_current_span("publish order.created") as producer:
        headers = with_trace_context({})
    publisher = await settle(spans, queue, failing, FakeDelivery(body(), headers=headers))
    (_, copy), *_ = publisher.forwarded
    trace_id, span_id = traceparent_ids(copy.headers["traceparent"])
    assert (trace_id, span_id) == (producer.get_span_context().trace_id, producer.context.span_id)
    consume = spans.one("consume order.created")
    assert consume.attributes["messaging.outcome"] == "retry"
    assert consume.status.status_code is StatusCode.ERROR


async def test_a_sender_header_that_is_not_text_does_not_break_the_trace_extraction(
    spans, queue
) -> None:
    delivery = FakeDelivery(body(), headers={"traceparent": b"\x00garbage", "tracestate": 7})
    await settle(spans, queue, returning(None), delivery)
    assert delivery.settled == ["ack"]
    assert spans.one("consume order.created").parent is None


async def test_messages_in_flight_counts_work_until_it_ends(queue) -> None:
    in_flight = InFlight(in_flight_gauge(queue.name))
    started, release = asyncio.Event(), asyncio.Event()

    async def work() -> None:
        started.set()
        await release.wait()

    def gauge() -> float | None:
        return REGISTRY.get_sample_value("messages_in_flight", {"queue": queue.name})

    running = asyncio.create_task(in_flight.run(work()))
    await asyncio.wait_for(started.wait(), 5)
    assert gauge() == 1
    release.set()
    await running
    assert gauge() == 0


class FakeSubscription:
    def __init__(self) -> None:
        self.is_active = True


def test_consumer_subscribed_follows_the_subscriptions_of_the_queue(queue) -> None:
    first, second = FakeSubscription(), FakeSubscription()
    track_subscription(queue.name, first)
    track_subscription(queue.name, second)

    def gauge() -> float | None:
        return REGISTRY.get_sample_value("consumer_subscribed", {"queue": queue.name})

    assert gauge() == 1
    first.is_active = False
    assert gauge() == 1  # the other instance still consumes
    second.is_active = False
    assert gauge() == 0


async def test_the_typed_subscriber_answers_what_the_use_case_returned() -> None:
    async def ignore(message: StatusMessage) -> bool:
        return False

    handle = subscriber({"order.created": Route(StatusMessage, ignore)})
    assert await handle(InboundMessage("order.created", body())) is False
