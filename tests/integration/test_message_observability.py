"""Traces and metrics of messages on the real RabbitMQ and MongoDB: a message carries its trace
to its consumer (retries too), consumed messages are counted by outcome, the outbox gauges
follow an event the broker does not take."""

import uuid
from collections.abc import AsyncIterator

import aio_pika
import pytest
from opentelemetry import trace
from prometheus_client import REGISTRY
from pymongo.asynchronous.collection import AsyncCollection

from servicekit.broker import (
    BrokerConnection,
    EventPublisher,
    InboundMessage,
    QueueConsumer,
    ServiceQueue,
    UnroutableMessage,
)
from servicekit.contracts import status_event
from servicekit.document_store import DocumentStore
from servicekit.mongo import MongoEngine
from servicekit.outbox import OUTBOX_INDEX, OutboxRelay
from tests.in_memory_spans import RecordedSpans, traceparent_ids
from tests.integration.conftest import wait_for
from tests.integration.services import delete_service_queues, watch_events

pytestmark = pytest.mark.integration


@pytest.fixture
async def service_queue(settings) -> AsyncIterator[ServiceQueue]:
    queue = ServiceQueue(f"ObsService-{uuid.uuid4().hex[:8]}", ["order.*"], (100, 300))
    yield queue
    await delete_service_queues(settings.rabbit_url, queue.name)


@pytest.fixture
def spans() -> RecordedSpans:
    return RecordedSpans()


@pytest.fixture
def traced(broker: BrokerConnection, spans: RecordedSpans) -> EventPublisher:
    """A publisher (and so its consumers) recording spans in memory."""
    return EventPublisher(broker, tracer=spans.tracer)


def status_body(status: str, order_id: str = "o-1") -> dict:
    return {"status": status, "metadata": {"order_id": order_id, "customer_id": "c1"}}


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_a_message_published_inside_a_span_is_consumed_in_the_same_trace(
    broker: BrokerConnection,
    traced: EventPublisher,
    spans: RecordedSpans,
    service_queue: ServiceQueue,
) -> None:
    seen: list[tuple[str, trace.SpanContext]] = []

    async def handler(message: InboundMessage) -> None:
        seen.append((message.headers["traceparent"], trace.get_current_span().get_span_context()))

    consumer = QueueConsumer(broker, traced, service_queue, handler)
    await consumer.start()
    try:
        with spans.tracer.start_as_current_span("POST /v1/orders") as request:
            await traced.publish("order.created", status_body("created", "o-trace"))
        await wait_for(lambda: spans.named("consume order.created"), what="the consume span")
    finally:
        await consumer.stop()

    publish, consume = spans.one("publish order.created"), spans.one("consume order.created")
    [(traceparent, handler_context)] = seen
    assert traceparent_ids(traceparent) == (request.context.trace_id, publish.context.span_id)
    assert consume.context.trace_id == request.context.trace_id
    assert consume.parent is not None and consume.parent.span_id == publish.context.span_id
    assert handler_context == consume.context  # the handler ran inside the consume span
    assert consume.attributes["order.id"] == "o-trace"
    assert consume.attributes["messaging.outcome"] == "ack"


async def test_the_consumed_counter_grows_by_one_per_message_and_outcome(
    broker: BrokerConnection,
    traced: EventPublisher,
    spans: RecordedSpans,
    service_queue: ServiceQueue,
) -> None:
    async def handler(message: InboundMessage) -> bool:
        if message.body["status"] == "flaky" and message.attempt == 0:
            raise ConnectionError("outage")
        return message.body["status"] != "duplicate"  # False: ignored

    def consumed(outcome: str) -> float:
        return sample(
            "messages_consumed_total",
            queue=service_queue.name,
            routing_key="order.created",
            outcome=outcome,
        )

    def counts() -> dict[str, float]:
        outcomes = ("ack", "ignored", "malformed", "retry", "dead_lettered")
        return {outcome: consumed(outcome) for outcome in outcomes}

    consumer = QueueConsumer(broker, traced, service_queue, handler)
    await consumer.start()
    try:
        await traced.publish("order.created", status_body("fine"))
        await wait_for(lambda: consumed("ack") == 1, what="the first message acked")
        await traced.publish("order.created", status_body("duplicate"))
        await wait_for(lambda: consumed("ignored") == 1, what="the duplicate ignored")
        await broker.exchange.publish(aio_pika.Message(b"not json"), routing_key="order.created")
        await wait_for(lambda: consumed("malformed") == 1, what="the malformed message")
        with spans.tracer.start_as_current_span("PUT /v1/orders/o-1") as request:
            await traced.publish("order.created", status_body("flaky"))
        await wait_for(lambda: consumed("ack") == 2, what="the flaky message after its retry")
    finally:
        await consumer.stop()

    assert counts() == {"ack": 2, "ignored": 1, "malformed": 1, "retry": 1, "dead_lettered": 0}
    labels = {"queue": service_queue.name, "routing_key": "order.created"}
    assert sample("message_handling_seconds_count", **labels) == 5  # the malformed one too
    retry_queue = service_queue.retry_queue(0)
    assert sample("messages_published_total", routing_key=retry_queue, outcome="confirmed") == 1
    # The retried message is consumed again in the trace of the request that sent it.
    flaky = [
        span
        for span in spans.named("consume order.created")
        if span.context.trace_id == request.context.trace_id
    ]
    assert [span.attributes["messaging.rabbitmq.attempt"] for span in flaky] == [0, 1]
    assert [span.attributes["messaging.outcome"] for span in flaky] == ["retry", "ack"]


async def test_an_unroutable_publish_is_counted_as_such(traced: EventPublisher) -> None:
    key = f"kitchen.unknown{uuid.uuid4().hex[:8]}"
    with pytest.raises(UnroutableMessage):
        await traced.publish(key, status_body("unknown"))
    assert sample("messages_published_total", routing_key=key, outcome="unroutable") == 1


@pytest.fixture
async def collection(mongo: MongoEngine) -> AsyncIterator[AsyncCollection]:
    documents = mongo.db[f"outbox-gauges-{uuid.uuid4().hex[:8]}"]
    await documents.create_indexes([OUTBOX_INDEX])
    yield documents
    await documents.drop()


async def test_the_outbox_gauges_show_an_event_waiting_while_the_broker_refuses_it(
    collection: AsyncCollection,
    traced: EventPublisher,
    spans: RecordedSpans,
    settings,
    exchange_name: str,
) -> None:
    relay = OutboxRelay(collection, traced, "test")
    documents = DocumentStore(collection, relay)
    order_id = str(uuid.uuid4())

    def gauges() -> tuple[float, float]:
        return (
            sample("outbox_events_waiting", collection=collection.name),
            sample("outbox_oldest_event_age_seconds", collection=collection.name),
        )

    with spans.tracer.start_as_current_span("POST /v1/orders") as request:
        event = status_event("order.created", "*", order_id, "c1")
        await documents.insert({"_id": order_id}, [event])
    await relay.drain()  # no queue is bound to the key yet: the broker returns the event
    events, age = await relay.measure_backlog()
    assert events == 1 and 0 <= age < 60
    assert gauges() == (1, age)

    async with watch_events(settings.rabbit_url, exchange_name, "order.*") as watcher:
        relay.retry_now()
        assert await relay.sweep() == 1
        [(_, body)] = await watcher.wait_for(1)
        await relay.flush_marks()
    assert body["metadata"]["order_id"] == order_id
    assert await relay.measure_backlog() == (0, 0.0)
    assert gauges() == (0, 0)
    # Refused on the fast path, published by the sweep: both in the request's trace.
    publishes = spans.named("publish order.created")
    assert [span.attributes["messaging.outcome"] for span in publishes] == [
        "unroutable",
        "confirmed",
    ]
    for span in publishes:
        assert span.parent is not None and span.parent.span_id == request.context.span_id
