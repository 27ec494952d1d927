"""The RabbitMQ client against the real broker: routing, acks, sharing, retries, dead letters."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import aio_pika
import pytest
import ujson
from prometheus_client import REGISTRY

from devstack.stack import Stack
from servicekit.broker import (
    BrokerConnection,
    BrokerUnavailable,
    EventPublisher,
    InboundMessage,
    QueueConsumer,
    ServiceQueue,
    StatusMessage,
    UnroutableMessage,
)
from tests.integration.conftest import private_rabbitmq, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
async def service_queue(broker: BrokerConnection) -> AsyncIterator[ServiceQueue]:
    queue = ServiceQueue(
        name=f"TestService-{uuid.uuid4().hex[:8]}",
        binding_keys=["order.created", "payment.*"],
        retry_delays_ms=(100, 300),
    )
    yield queue
    channel = await broker.connection.channel()
    for name in [queue.name, queue.dead_letter_queue, *map(queue.retry_queue, range(2))]:
        await channel.queue_delete(name, if_unused=False, if_empty=False)
    await channel.close()


def status_body(status: str = "created", order_id: str | None = None) -> dict:
    return {
        "status": status,
        "metadata": {
            "receiver": "Test",
            "order_id": order_id or str(uuid.uuid4()),
            "customer_id": "c1",
        },
    }


async def declared(broker: BrokerConnection, name: str):
    """A queue's counts right now (a passive declare is exact, management stats lag)."""
    channel = await broker.connection.channel()
    try:
        return (await channel.declare_queue(name, passive=True)).declaration_result
    finally:
        await channel.close()


async def queue_depth(broker: BrokerConnection, name: str) -> int:
    """Messages ready in a queue right now."""
    return (await declared(broker, name)).message_count or 0


async def next_message(broker: BrokerConnection, name: str, timeout_s: float = 10.0):
    channel = await broker.connection.channel()
    queue = await channel.declare_queue(name, passive=True)
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while loop.time() < deadline:
            message = await queue.get(fail=False, no_ack=True)
            if message is not None:
                return message
            await asyncio.sleep(0.05)
        raise AssertionError(f"no message on {name} within {timeout_s} s")
    finally:
        await channel.close()


async def test_event_reaches_the_bound_queue_and_is_acked_after_processing(
    broker: BrokerConnection, publisher: EventPublisher, service_queue: ServiceQueue
) -> None:
    handled: list[InboundMessage] = []
    release = asyncio.Event()

    async def slow_handler(message: InboundMessage) -> None:
        handled.append(message)
        await release.wait()

    first = QueueConsumer(broker, publisher, service_queue, slow_handler, prefetch_count=4)
    await first.start()
    body = status_body()
    message_id = await publisher.publish("order.created", body)
    await wait_for(lambda: handled, what="the handler to receive the event")
    assert handled[0].routing_key == "order.created"
    assert handled[0].body == body
    assert handled[0].message_id == message_id

    # Still unacked while the handler works: a consumer that dies now gives the message back.
    second_connection = BrokerConnection(broker.url, broker.exchange_name, "tests-2")
    await second_connection.connect()
    redelivered: list[InboundMessage] = []

    async def quick_handler(message: InboundMessage) -> None:
        redelivered.append(message)

    second = QueueConsumer(second_connection, publisher, service_queue, quick_handler)
    await second.start()
    await first._subscription.channel.close()  # the first instance disappears mid-handling
    await wait_for(lambda: redelivered, what="the unacked message to be redelivered")
    assert redelivered[0].message_id == message_id
    release.set()

    # Acked after the second handler returned: nothing left to redeliver.
    await first.stop()
    await second.stop()
    await second_connection.close()
    assert await queue_depth(broker, service_queue.name) == 0


async def test_two_consumers_on_one_queue_share_the_messages(
    broker: BrokerConnection, publisher: EventPublisher, service_queue: ServiceQueue
) -> None:
    seen: dict[str, list[str]] = {"a": [], "b": []}

    def handler_for(name: str):
        async def handle(message: InboundMessage) -> None:
            await asyncio.sleep(0.01)
            seen[name].append(message.body["metadata"]["order_id"])

        return handle

    other = BrokerConnection(broker.url, broker.exchange_name, "tests-b")
    await other.connect()
    consumer_a = QueueConsumer(broker, publisher, service_queue, handler_for("a"), prefetch_count=2)
    consumer_b = QueueConsumer(other, publisher, service_queue, handler_for("b"), prefetch_count=2)
    await consumer_a.start()
    await consumer_b.start()
    order_ids = [str(uuid.uuid4()) for _ in range(40)]
    for order_id in order_ids:
        await publisher.publish("payment.paymentPaid", status_body("paymentPaid", order_id))

    await wait_for(lambda: len(seen["a"]) + len(seen["b"]) == 40, what="all 40 messages")
    assert sorted(seen["a"] + seen["b"]) == sorted(order_ids)  # each exactly once
    assert len(seen["a"]) >= 5 and len(seen["b"]) >= 5
    await consumer_a.stop()
    await consumer_b.stop()
    await other.close()


async def test_publish_with_no_bound_queue_is_reported_as_unroutable(
    publisher: EventPublisher, service_queue: ServiceQueue, broker: BrokerConnection
) -> None:
    consumer = QueueConsumer(broker, publisher, service_queue, lambda m: asyncio.sleep(0))
    await consumer.start()
    with pytest.raises(UnroutableMessage, match=r"kitchen\.unknownStatus"):
        await publisher.publish("kitchen.unknownStatus", status_body())
    with pytest.raises(UnroutableMessage):
        await publisher.publish_to_queue("NoSuchQueue-typo", status_body())
    # The channel stays usable after a return.
    await publisher.publish("order.created", status_body())
    await consumer.stop()


async def test_failing_handler_is_retried_with_back_off_then_dead_lettered_with_the_reason(
    broker: BrokerConnection, publisher: EventPublisher, service_queue: ServiceQueue
) -> None:
    attempts: list[tuple[int, float]] = []
    loop = asyncio.get_running_loop()

    async def failing(message: InboundMessage) -> None:
        attempts.append((message.attempt, loop.time()))
        raise RuntimeError("kitchen API answered 500")

    consumer = QueueConsumer(broker, publisher, service_queue, failing)
    await consumer.start()
    await publisher.publish("order.created", status_body())

    dead = await next_message(broker, service_queue.dead_letter_queue)
    assert [attempt for attempt, _ in attempts] == [0, 1, 2]
    assert attempts[1][1] - attempts[0][1] >= 0.09  # waited about 100 ms
    assert attempts[2][1] - attempts[1][1] >= 0.28  # then about 300 ms
    reason = dead.headers["x-death-reason"]
    assert "RuntimeError: kitchen API answered 500" in reason
    assert "after 2 retries" in reason
    assert dead.headers["x-original-routing-key"] == "order.created"
    assert ujson.loads(dead.body)["status"] == "created"
    assert await queue_depth(broker, service_queue.name) == 0
    await consumer.stop()


async def test_handler_succeeding_on_a_retry_is_not_dead_lettered(
    broker: BrokerConnection, publisher: EventPublisher, service_queue: ServiceQueue
) -> None:
    calls: list[InboundMessage] = []

    async def flaky(message: InboundMessage) -> None:
        calls.append(message)
        if len(calls) == 1:
            raise ConnectionError("outage")

    consumer = QueueConsumer(broker, publisher, service_queue, flaky)
    await consumer.start()
    await publisher.publish("payment.paymentPaid", status_body("paymentPaid"))
    await wait_for(lambda: len(calls) == 2, what="the retry")
    assert calls[1].routing_key == "payment.paymentPaid"  # the original key survives the detour
    assert calls[1].attempt == 1
    await consumer.stop()
    assert await queue_depth(broker, service_queue.dead_letter_queue) == 0


@pytest.mark.parametrize(
    "raw_body, reason",
    [
        (b"this is not json", "body is not JSON"),
        (b"42", "body is a JSON int"),
        (b'{"status": "created", "metadata": null}', "metadata"),
    ],
)
async def test_malformed_message_is_dead_lettered_at_once_and_the_next_one_is_processed(
    broker: BrokerConnection,
    publisher: EventPublisher,
    service_queue: ServiceQueue,
    raw_body: bytes,
    reason: str,
) -> None:
    handled: list[str] = []

    async def handler(message: InboundMessage) -> None:
        status = StatusMessage.model_validate(message.body)  # raises ValidationError: no retry
        handled.append(status.metadata.order_id)

    consumer = QueueConsumer(broker, publisher, service_queue, handler)
    await consumer.start()
    await broker.exchange.publish(aio_pika.Message(raw_body), routing_key="order.created")
    good = status_body()
    await publisher.publish("order.created", good)

    await wait_for(lambda: handled, what="the good message after the malformed one")
    assert handled == [good["metadata"]["order_id"]]
    dead = await next_message(broker, service_queue.dead_letter_queue)
    assert dead.body == raw_body
    assert dead.headers["x-death-reason"].startswith("malformed:")
    assert reason in dead.headers["x-death-reason"]
    assert "retries" not in dead.headers["x-death-reason"]
    await consumer.stop()


async def test_message_sent_to_the_queue_by_name_is_consumed(
    broker: BrokerConnection, publisher: EventPublisher, service_queue: ServiceQueue
) -> None:
    handled: list[InboundMessage] = []

    async def handler(message: InboundMessage) -> None:
        handled.append(message)

    consumer = QueueConsumer(broker, publisher, service_queue, handler)
    await consumer.start()
    await publisher.publish_to_queue(service_queue.name, status_body("inTransit"))
    await wait_for(lambda: handled, what="the message sent by queue name")
    assert handled[0].routing_key == service_queue.name
    assert handled[0].body["status"] == "inTransit"
    assert consumer.is_running
    await consumer.stop()
    assert not consumer.is_running


async def test_a_sender_supplied_attempt_header_cannot_wedge_a_failing_message(
    broker: BrokerConnection, publisher: EventPublisher, service_queue: ServiceQueue
) -> None:
    async def failing(message: InboundMessage) -> None:
        raise RuntimeError("always")

    consumer = QueueConsumer(broker, publisher, service_queue, failing)
    await consumer.start()
    await publisher.publish("order.created", status_body(), headers={"x-attempt": "abc"})
    dead = await next_message(broker, service_queue.dead_letter_queue)
    assert "RuntimeError: always" in dead.headers["x-death-reason"]
    await consumer.stop()


async def test_consumer_and_publisher_carry_on_after_a_broker_restart(private_state) -> None:
    broker_server = private_rabbitmq(private_state, "rabbitmq-restart")
    server = Stack([broker_server], quiet=True)
    server.up()
    connection = BrokerConnection(f"amqp://guest:guest@127.0.0.1:{broker_server.port}/", "x", "t")
    try:
        await connection.connect()
        publisher = EventPublisher(connection)
        queue = ServiceQueue("RestartService", ["order.*"], retry_delays_ms=(100,))
        handled: list[str] = []

        async def handler(message: InboundMessage) -> None:
            handled.append(message.body["status"])

        consumer = QueueConsumer(connection, publisher, queue, handler)
        await consumer.start()
        await publisher.publish("order.created", status_body("before"))
        await wait_for(lambda: handled == ["before"], what="the message before the restart")
        assert subscribed(queue.name) == 1

        server.down()
        await wait_for(lambda: subscribed(queue.name) == 0, what="consumer_subscribed 0")
        server.up()

        async def published_after_restart() -> bool:
            # Right after the restart a publish may still meet the old connection: the caller
            # (the outbox) retries, as here.
            try:
                await publisher.publish("order.created", status_body("after"))
            except BrokerUnavailable:
                return False
            return True

        await wait_for(published_after_restart, timeout_s=60, what="a publish after the restart")
        # The publisher's channel can be back before the consumer's; a restore that fails is
        # tried again every 5 s (aio-pika) and the watchdog subscribes anew after two checks.
        await wait_for(
            lambda: handled == ["before", "after"],
            timeout_s=30,
            what="the message after the restart",
        )
        await wait_for(lambda: consumer.is_running, what="the consumer to report itself running")
        assert subscribed(queue.name) == 1
        assert await consumer_count(connection, queue.name) == 1  # restored, not doubled
        await consumer.stop()
    finally:
        await connection.close()
        server.down()


def subscribed(queue: str) -> float | None:
    """The `consumer_subscribed` gauge of `queue` in this process."""
    return REGISTRY.get_sample_value("consumer_subscribed", {"queue": queue})


async def consumer_count(broker: BrokerConnection, name: str) -> int:
    return (await declared(broker, name)).consumer_count or 0


@pytest.mark.parametrize("loss", ["consumer cancelled", "channel closed"])
async def test_a_lost_subscription_is_replaced_while_the_connection_stays_up(
    broker: BrokerConnection, publisher: EventPublisher, service_queue: ServiceQueue, loss: str
) -> None:
    handled: list[str] = []

    async def handler(message: InboundMessage) -> None:
        handled.append(message.body["status"])

    consumer = QueueConsumer(broker, publisher, service_queue, handler, check_interval_s=0.2)
    await consumer.start()
    try:
        await publisher.publish("order.created", status_body("first"))
        await wait_for(lambda: handled == ["first"], what="the first message")

        # What aio-pika's restore sometimes leaves behind, made on purpose (test-only access).
        channel = consumer._subscription.channel
        if loss == "consumer cancelled":
            underlay = await channel.get_underlay_channel()
            await underlay.basic_cancel(consumer._subscription.consumer_tag)
        else:
            await channel.close()
        assert await consumer_count(broker, service_queue.name) == 0

        await publisher.publish("order.created", status_body("second"))
        await wait_for(lambda: handled == ["first", "second"], what="the message after the loss")
        await wait_for(lambda: consumer.is_running, what="the consumer to report itself running")
        assert await consumer_count(broker, service_queue.name) == 1  # replaced, not doubled
    finally:
        await consumer.stop()


async def test_a_handler_runs_to_its_end_when_the_channel_closes_under_it(
    broker: BrokerConnection, publisher: EventPublisher, service_queue: ServiceQueue
) -> None:
    """A broker restart closes the channel while handlers work; stopping one half-way could
    leave a change stored without its follow-up. It finishes; the message comes back."""
    started, release = asyncio.Event(), asyncio.Event()
    finished: list[str] = []

    async def handler(message: InboundMessage) -> None:
        started.set()
        await release.wait()
        finished.append(message.message_id or "")

    consumer = QueueConsumer(broker, publisher, service_queue, handler, check_interval_s=60)
    await consumer.start()
    try:
        message_id = await publisher.publish("order.created", status_body())
        await asyncio.wait_for(started.wait(), 10)
        await consumer._subscription.channel.close()  # test-only access: what a broker restart does
        release.set()
        await wait_for(lambda: message_id in finished, what="the handler to finish its work")
    finally:
        await consumer.stop()
    assert await queue_depth(broker, service_queue.name) == 1  # unacked: delivered again
