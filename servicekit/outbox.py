"""Transactional outbox: an event is stored in the same transaction as the change that causes it,
then published; nothing is published for a change that was not stored, nothing stored is lost.

`OutboxWriter.add` runs inside the caller's MongoDB transaction. After the commit the caller hands
the records to `OutboxRelay.publish_now` (the fast path). What the fast path could not publish
(broker down, no queue bound yet, process killed) the relay's sweep publishes later, with
back-off per record and a lease so that two instances do not publish the same record at once.
Each service sweeps only its own records (`source`). Published marks are written in batches; a
process that dies before writing one publishes that record again later (consumers are
idempotent), which is the price of one write less per event.
"""

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from loguru import logger
from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from servicekit.backoff import backoff_s
from servicekit.broker import BrokerUnavailable, EventPublisher, UnroutableMessage
from servicekit.mongo import CollectionIndexes

COLLECTION = "outbox"
OUTBOX_INDEXES = CollectionIndexes(
    COLLECTION,
    [
        IndexModel(
            [("source", ASCENDING), ("published_at", ASCENDING), ("next_attempt_at", ASCENDING)]
        ),
        # Published records are kept a week for tracing, then MongoDB removes them.
        IndexModel([("published_at", ASCENDING)], expireAfterSeconds=7 * 24 * 3600),
    ],
)


def _now() -> datetime:
    return datetime.now(UTC)


class OutboxWriter:
    """Adds event records to the outbox inside the caller's transaction."""

    def __init__(self, db: AsyncDatabase[Mapping], source: str, grace_s: float = 5.0) -> None:
        self._collection = db[COLLECTION]
        self._source = source
        self._grace = timedelta(seconds=grace_s)

    async def add(
        self, session: AsyncClientSession, routing_key: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        now = _now()
        message_id = str(uuid.uuid4())  # also in the body: consumers can trace it
        record = {
            "_id": message_id,
            "source": self._source,
            "routing_key": routing_key,
            "body": {**body, "message_id": message_id, "sent_at": now.isoformat()},
            "created_at": now,
            # The fast path publishes right after commit; the sweep steps in only after a grace.
            "next_attempt_at": now + self._grace,
            "attempts": 0,
            "published_at": None,
        }
        await self._collection.insert_one(record, session=session)
        return record


Emit = Callable[[str, dict[str, Any]], Awaitable[None]]
T = TypeVar("T")


class Outbox:
    """A change and the events it causes, committed in one transaction and then published."""

    def __init__(
        self, db: AsyncDatabase[Mapping], writer: OutboxWriter, relay: "OutboxRelay"
    ) -> None:
        self._db = db
        self._writer = writer
        self._relay = relay

    async def commit(self, change: Callable[[AsyncClientSession, Emit], Awaitable[T]]) -> T:
        """Run `change(session, emit)` in a transaction; each `await emit(routing_key, body)`
        stores an event with it. After the commit the events are published (or left to the
        relay's sweep); nothing is published when the change is not committed."""
        records: list[dict[str, Any]] = []

        async def in_transaction(session: AsyncClientSession) -> T:
            records.clear()  # with_transaction runs this again after a transient conflict

            async def emit(routing_key: str, body: dict[str, Any]) -> None:
                records.append(await self._writer.add(session, routing_key, body))

            return await change(session, emit)

        async with self._db.client.start_session() as session:
            result = await session.with_transaction(in_transaction)
        await self._relay.publish_now(records)
        return result


class OutboxRelay:
    """Publishes a service's outbox records: right after commit, and in a background sweep."""

    name = "outbox-relay"

    def __init__(
        self,
        db: AsyncDatabase[Mapping],
        publisher: EventPublisher,
        source: str,
        sweep_interval_s: float = 1.0,
        lease_s: float = 30.0,
        max_backoff_s: float = 15.0,
        unroutable_attempts: int = 4,
        mark_interval_s: float = 0.05,
    ) -> None:
        self._collection = db[COLLECTION]
        self._publisher = publisher
        self._source = source
        self._interval_s = sweep_interval_s
        self._lease = timedelta(seconds=lease_s)
        self._max_backoff_s = max_backoff_s
        self._unroutable_attempts = unroutable_attempts
        self._mark_interval_s = mark_interval_s
        self._published: list[str] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._wake = asyncio.Event()
        self._retry_all = False

    async def publish_now(self, records: Sequence[Mapping[str, Any]]) -> None:
        """Try to publish freshly committed records; failures are left for the sweep. Never
        raises: the change is committed, the caller's request or message has succeeded."""
        for record in records:
            try:
                published = await self._publish(record)
            except Exception as error:  # e.g. MongoDB failing the retry note: the sweep has it
                logger.warning("Event {} left for the sweep: {!r}", record["_id"], error)
                published = False
            if not published:
                self._wake.set()

    async def _publish(self, record: Mapping[str, Any]) -> bool:
        log = logger.bind(order_id=record["body"].get("metadata", {}).get("order_id"))
        try:
            await self._publisher.publish(
                record["routing_key"], record["body"], message_id=record["_id"]
            )
        except UnroutableMessage as error:
            if int(record.get("attempts", 0)) + 1 < self._unroutable_attempts:
                return await self._retry_later(record, error)
            # Nobody subscribes to this key (no consumer's queue was ever declared): keep the
            # record as evidence, stop retrying, and say so loudly.
            await self._collection.update_one(
                {"_id": record["_id"]},
                {"$set": {"published_at": _now(), "unroutable": True, "last_error": str(error)}},
            )
            log.error("Event {} {} dropped: {}", record["routing_key"], record["_id"], error)
            return True
        except BrokerUnavailable as error:
            return await self._retry_later(record, error)
        self._published.append(record["_id"])
        log.debug("Published {} {}", record["routing_key"], record["_id"])
        return True

    async def _retry_later(self, record: Mapping[str, Any], error: Exception) -> bool:
        attempts = int(record.get("attempts", 0)) + 1
        delay_s = backoff_s(attempts, self._max_backoff_s)
        await self._collection.update_one(
            {"_id": record["_id"]},
            {
                "$set": {
                    "next_attempt_at": _now() + timedelta(seconds=delay_s),
                    "last_error": str(error),
                },
                "$inc": {"attempts": 1},
            },
        )
        logger.bind(order_id=record["body"].get("metadata", {}).get("order_id")).warning(
            "Event {} {} not published yet (attempt {}), retry in {:.1f} s: {}",
            record["routing_key"],
            record["_id"],
            attempts,
            delay_s,
            error,
        )
        return False

    async def flush_marks(self) -> None:
        """Write the published marks collected since the last flush, in one update."""
        if not self._published:
            return
        ids, self._published = self._published, []
        try:
            await self._collection.update_many(
                {"_id": {"$in": ids}}, {"$set": {"published_at": _now(), "last_error": None}}
            )
        except Exception:
            self._published.extend(ids)  # MongoDB hiccup: try again with the next batch
            raise

    async def sweep(self) -> int:
        """Publish every due record of this service not published yet; returns how many."""
        if self._retry_all:
            self._retry_all = False
            await self._collection.update_many(
                {"source": self._source, "published_at": None, "attempts": {"$gt": 0}},
                {"$set": {"next_attempt_at": _now()}},
            )
        published = 0
        while True:
            now = _now()
            record = await self._collection.find_one_and_update(
                {"source": self._source, "published_at": None, "next_attempt_at": {"$lte": now}},
                {"$set": {"next_attempt_at": now + self._lease}},  # lease it to this instance
                sort=[("next_attempt_at", ASCENDING)],
                return_document=ReturnDocument.AFTER,
            )
            if record is None:
                return published
            if await self._publish(record):
                published += 1

    def retry_now(self) -> None:
        """Publish every waiting record at the next sweep (the broker is back)."""
        self._retry_all = True
        self._wake.set()

    @property
    def is_running(self) -> bool:
        return bool(self._tasks) and not any(task.done() for task in self._tasks)

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._sweep_forever(), name="outbox-sweep"),
            asyncio.create_task(self._mark_forever(), name="outbox-marks"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        with contextlib.suppress(Exception):
            await self.flush_marks()

    async def _sweep_forever(self) -> None:
        while True:
            try:
                published = await self.sweep()
                if published:
                    logger.info("Outbox relay published {} pending event(s)", published)
            except Exception as error:  # MongoDB down: keep the relay alive, try again later
                logger.warning("Outbox sweep failed: {!r}", error)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval_s)

    async def _mark_forever(self) -> None:
        while True:
            await asyncio.sleep(self._mark_interval_s)
            try:
                await self.flush_marks()
            except Exception as error:
                logger.warning("Could not mark published outbox records: {!r}", error)
