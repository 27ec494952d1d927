"""The outbox inside the document, on the real MongoDB server and RabbitMQ: a change and its
events are one write; what the fast path could not publish the sweep publishes; nothing twice
at once, nothing left behind."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from pymongo.asynchronous.collection import AsyncCollection

from servicekit.broker import BrokerUnavailable, EventPublisher
from servicekit.contracts import Event, status_event
from servicekit.document_store import DocumentStore
from servicekit.mongo import MongoEngine
from servicekit.outbox import (
    DUE,
    OUTBOX_INDEX,
    PENDING,
    UNROUTABLE,
    OutboxRelay,
    count_pending,
)
from tests.integration.services import watch_events


class FlakyPublisher:
    """Publishes through the real publisher (when given one) unless told the broker is down."""

    def __init__(self, publisher: EventPublisher | None = None) -> None:
        self._publisher = publisher
        self.down = False
        self.attempts = 0

    async def publish(self, routing_key: str, body: dict, message_id: str | None = None) -> None:
        self.attempts += 1
        if self.down:
            raise BrokerUnavailable("broker down (test)")
        if self._publisher is not None:
            await self._publisher.publish(routing_key, body, message_id=message_id)


@pytest.fixture
async def collection(mongo: MongoEngine) -> AsyncIterator[AsyncCollection]:
    documents = mongo.db[f"outbox-test-{uuid.uuid4().hex[:8]}"]
    await documents.create_indexes([OUTBOX_INDEX])
    yield documents
    await documents.drop()


def event(order_id: str, status: str = "created") -> Event:
    return status_event(f"order.{status}", "*", order_id, "c")


async def test_a_change_and_its_event_are_one_write_published_at_once_then_removed(
    collection: AsyncCollection, publisher: EventPublisher, settings, exchange_name: str
) -> None:
    relay = OutboxRelay(collection, publisher, "test")
    documents = DocumentStore(collection, relay)
    order_id = str(uuid.uuid4())
    async with watch_events(settings.rabbit_url, exchange_name, "order.*") as watcher:
        await documents.insert({"_id": order_id, "status": "a"}, [event(order_id)])
        stored = await collection.find_one({"_id": order_id})
        assert [record["routing_key"] for record in stored[PENDING]] == ["order.created"]
        changed = await documents.update(
            {"_id": order_id, "status": "a"}, {"$set": {"status": "b"}}, [event(order_id, "x")]
        )
        assert changed == {"_id": order_id, "status": "b", "version": 2}
        stored = await collection.find_one({"_id": order_id})
        assert [record["routing_key"] for record in stored[PENDING]] == [
            "order.created",
            "order.x",
        ]
        bodies = [body for _, body in await watcher.wait_for(2)]
        await relay.drain()
        await relay.flush_marks()
    assert [body["status"] for body in bodies] == ["created", "x"]
    assert [body["message_id"] for body in bodies] == [r["id"] for r in stored[PENDING]]
    stored = await collection.find_one({"_id": order_id})
    assert stored == {"_id": order_id, "status": "b", "version": 2}  # events and due time gone
    assert await count_pending(collection, ["test"]) == 0


async def test_an_update_that_does_not_match_stores_and_publishes_nothing(
    collection: AsyncCollection, publisher: EventPublisher
) -> None:
    flaky = FlakyPublisher(publisher)
    documents = DocumentStore(collection, OutboxRelay(collection, flaky, "test"))  # type: ignore[arg-type]
    await collection.insert_one({"_id": "o1", "status": "a"})
    assert (
        await documents.update({"_id": "o1", "status": "z"}, {"$set": {"s": 1}}, [event("o1")])
        is None
    )
    assert flaky.attempts == 0
    assert await collection.find_one({"_id": "o1"}) == {"_id": "o1", "status": "a"}


async def test_the_sweep_publishes_what_the_fast_path_could_not_in_order(
    collection: AsyncCollection, publisher: EventPublisher, settings, exchange_name: str
) -> None:
    flaky = FlakyPublisher(publisher)
    relay = OutboxRelay(collection, flaky, "test")  # type: ignore[arg-type]
    documents = DocumentStore(collection, relay, grace_s=0)
    order_id = str(uuid.uuid4())
    async with watch_events(settings.rabbit_url, exchange_name, "order.*") as watcher:
        flaky.down = True
        await documents.insert({"_id": order_id}, [event(order_id), event(order_id, "second")])
        await relay.drain()
        assert await count_pending(collection, ["test"]) == 1
        assert await relay.sweep() == 0  # still down: backed off, not lost
        stored = await collection.find_one({"_id": order_id})
        assert stored["outbox_attempts"] == 1 and stored[DUE] > datetime.now(UTC)
        flaky.down = False
        relay.retry_now()  # the broker is back: everything waiting is due now
        assert await relay.sweep() == 2
        await relay.flush_marks()
        bodies = [body for _, body in await watcher.wait_for(2)]
    assert [body["status"] for body in bodies] == ["created", "second"]
    assert await collection.find_one({"_id": order_id}) == {"_id": order_id, "version": 1}


async def test_a_document_leased_by_one_relay_is_not_published_by_another(
    collection: AsyncCollection,
) -> None:
    first, second = FlakyPublisher(), FlakyPublisher()
    due = datetime.now(UTC) - timedelta(seconds=1)
    record = {"id": "e1", "routing_key": "order.created", "body": {"status": "created"}}
    await collection.insert_one({"_id": "o1", PENDING: [record], DUE: due, "outbox_source": "t"})
    relay_a = OutboxRelay(collection, first, "t")  # type: ignore[arg-type]
    relay_b = OutboxRelay(collection, second, "t")  # type: ignore[arg-type]
    stale_view = await collection.find_one({"_id": "o1"})
    assert await relay_a.sweep() == 1
    assert await relay_b._sweeper.sweep_one(stale_view) == 0  # the lease moved the due time on
    assert (first.attempts, second.attempts) == (1, 0)


async def test_the_sweep_only_takes_its_own_source(collection: AsyncCollection) -> None:
    flaky = FlakyPublisher()
    due = datetime.now(UTC) - timedelta(seconds=1)
    record = {"id": "e1", "routing_key": "order.created", "body": {}}
    await collection.insert_one(
        {"_id": "o1", PENDING: [record], DUE: due, "outbox_source": "other"}
    )
    assert await OutboxRelay(collection, flaky, "mine").sweep() == 0  # type: ignore[arg-type]
    assert flaky.attempts == 0


async def test_an_event_no_queue_takes_is_kept_as_evidence_after_its_attempts(
    collection: AsyncCollection, publisher: EventPublisher
) -> None:
    relay = OutboxRelay(collection, publisher, "test", unroutable_attempts=2, max_backoff_s=0)
    due = datetime.now(UTC) - timedelta(seconds=1)
    record = {"id": "e1", "routing_key": "nobody.listens", "body": {}}
    await collection.insert_one({"_id": "o1", PENDING: [record], DUE: due, "outbox_source": "test"})
    await relay.sweep()  # unroutable once: retried later
    assert (await collection.find_one({"_id": "o1"}))["outbox_attempts"] == 1
    await collection.update_one({"_id": "o1"}, {"$set": {DUE: due}})
    await relay.sweep()
    await relay.flush_marks()
    stored = await collection.find_one({"_id": "o1"})
    assert PENDING not in stored and DUE not in stored
    assert [event["id"] for event in stored[UNROUTABLE]] == ["e1"]


async def test_a_change_made_by_another_instance_is_never_lost_or_hidden(
    collection: AsyncCollection,
) -> None:
    """Each instance remembers the version it wrote; a change on top of a version another
    instance has moved on falls back to a write and a read of the current document."""
    relay = OutboxRelay(collection, FlakyPublisher(), "test")  # type: ignore[arg-type]
    first, second = DocumentStore(collection, relay), DocumentStore(collection, relay)
    await first.insert({"_id": "o1", "history": []})
    assert await second.get("o1") == {"_id": "o1", "history": [], "version": 1}
    await first.update({"_id": "o1"}, {"$push": {"history": "by first"}})
    changed = await second.update({"_id": "o1"}, {"$push": {"history": "by second"}})
    assert changed == {"_id": "o1", "history": ["by first", "by second"], "version": 3}
    again = await first.update({"_id": "o1"}, {"$set": {"done": True}})
    assert again == {**changed, "done": True, "version": 4}
    assert await collection.find_one({"_id": "o1"}) == again


async def test_a_condition_that_no_longer_holds_changes_nothing_even_when_remembered(
    collection: AsyncCollection,
) -> None:
    relay = OutboxRelay(collection, FlakyPublisher(), "test")  # type: ignore[arg-type]
    first, second = DocumentStore(collection, relay), DocumentStore(collection, relay)
    await first.insert({"_id": "o1", "status": "a"})
    await second.update({"_id": "o1", "status": "a"}, {"$set": {"status": "b"}})
    assert await first.update({"_id": "o1", "status": "a"}, {"$set": {"status": "c"}}) is None
    assert (await collection.find_one({"_id": "o1"}))["status"] == "b"
