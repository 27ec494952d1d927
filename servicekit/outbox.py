"""Transactional outbox: an event is stored in the same transaction as the change that causes it,
then published; nothing is published for a change that was not stored, nothing stored is lost.

`OutboxWriter.add` runs inside the caller's MongoDB transaction. After the commit the caller hands
the records to `OutboxRelay.publish_now` (the fast path). What the fast path could not publish
(broker down, no queue bound yet, process killed) the relay's sweep publishes later, with
back-off per record and a lease so that two instances do not publish the same record at once.
"""

import asyncio
import contextlib
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from loguru import logger
from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from servicekit.broker import BrokerUnavailable, EventPublisher, UnroutableMessage
from servicekit.mongo import CollectionIndexes

COLLECTION = "outbox"
OUTBOX_INDEXES = CollectionIndexes(
    COLLECTION,
    [
        IndexModel([("published_at", ASCENDING), ("next_attempt_at", ASCENDING)]),
        # Published records are kept a week for tracing, then MongoDB removes them.
        IndexModel([("published_at", ASCENDING)], expireAfterSeconds=7 * 24 * 3600),
    ],
)


def _now() -> datetime:
    return datetime.now(UTC)


class OutboxWriter:
    """Adds event records to the outbox inside the caller's transaction."""

    def __init__(self, db: AsyncDatabase[Mapping], grace_s: float = 5.0) -> None:
        self._collection = db[COLLECTION]
        self._grace = timedelta(seconds=grace_s)

    async def add(
        self, session: AsyncClientSession, routing_key: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        now = _now()
        message_id = str(uuid.uuid4())  # also in the body: consumers can trace it
        record = {
            "_id": message_id,
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


class OutboxRelay:
    """Publishes outbox records: right after commit, and in a background sweep for leftovers."""

    def __init__(
        self,
        db: AsyncDatabase[Mapping],
        publisher: EventPublisher,
        sweep_interval_s: float = 1.0,
        lease_s: float = 30.0,
        max_backoff_s: float = 15.0,
        batch_size: int = 100,
        unroutable_attempts: int = 4,
    ) -> None:
        self._unroutable_attempts = unroutable_attempts
        self._collection = db[COLLECTION]
        self._publisher = publisher
        self._interval_s = sweep_interval_s
        self._lease = timedelta(seconds=lease_s)
        self._max_backoff_s = max_backoff_s
        self._batch_size = batch_size
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._retry_all = False

    async def publish_now(self, records: Sequence[Mapping[str, Any]]) -> None:
        """Try to publish freshly committed records; failures are left for the sweep."""
        for record in records:
            if not await self._publish(record):
                self._wake.set()

    async def _publish(self, record: Mapping[str, Any]) -> bool:
        order_id = record["body"].get("metadata", {}).get("order_id")
        try:
            await self._publisher.publish(
                record["routing_key"], record["body"], message_id=record["_id"]
            )
        except UnroutableMessage as error:
            attempts = int(record.get("attempts", 0)) + 1
            if attempts >= self._unroutable_attempts:
                # Nobody subscribes to this key (a consumer's queue was never declared): keep
                # the record as evidence, stop retrying, and say so loudly.
                await self._collection.update_one(
                    {"_id": record["_id"]},
                    {
                        "$set": {
                            "published_at": _now(),
                            "unroutable": True,
                            "last_error": str(error),
                        }
                    },
                )
                logger.bind(order_id=order_id).error(
                    "Event {} {} dropped after {} attempts: {}",
                    record["routing_key"],
                    record["_id"],
                    attempts,
                    error,
                )
                return True
            return await self._retry_later(record, order_id, error)
        except BrokerUnavailable as error:
            return await self._retry_later(record, order_id, error)
        await self._collection.update_one(
            {"_id": record["_id"]}, {"$set": {"published_at": _now(), "last_error": None}}
        )
        logger.bind(order_id=order_id).debug(
            "Published {} {}", record["routing_key"], record["_id"]
        )
        return True

    async def _retry_later(
        self, record: Mapping[str, Any], order_id: str | None, error: Exception
    ) -> bool:
        attempts = int(record.get("attempts", 0)) + 1
        delay_s = min(self._max_backoff_s, 0.5 * 2 ** min(attempts, 10))
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
        logger.bind(order_id=order_id).warning(
            "Event {} {} not published yet (attempt {}), retry in {:.1f} s: {}",
            record["routing_key"],
            record["_id"],
            attempts,
            delay_s,
            error,
        )
        return False

    async def sweep(self) -> int:
        """Publish every due record not published yet; returns how many were published."""
        if self._retry_all:
            self._retry_all = False
            await self._collection.update_many(
                {"published_at": None, "attempts": {"$gt": 0}},
                {"$set": {"next_attempt_at": _now()}},
            )
        published = 0
        for _ in range(self._batch_size):
            now = _now()
            record = await self._collection.find_one_and_update(
                {"published_at": None, "next_attempt_at": {"$lte": now}},
                {"$set": {"next_attempt_at": now + self._lease}},  # lease it to this instance
                sort=[("next_attempt_at", ASCENDING)],
                return_document=ReturnDocument.AFTER,
            )
            if record is None:
                break
            if await self._publish(record):
                published += 1
        return published

    def retry_now(self) -> None:
        """Publish every waiting record at the next sweep (the broker is back)."""
        self._retry_all = True
        self._wake.set()

    async def pending(self) -> int:
        """Records not published yet (for health reports and tests)."""
        return await self._collection.count_documents({"published_at": None})

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                published = await self.sweep()
                if published:
                    logger.info("Outbox relay published {} pending event(s)", published)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # MongoDB down: keep the relay alive, try again later
                logger.warning("Outbox sweep failed: {!r}", error)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval_s)
