"""The outbox inside the aggregate: a change and the events it causes are one single-document
write, then the events are relayed to the broker.

`DocumentStore.insert` and `.update` (servicekit.document_store) store the events in the
changed document's `outbox` array, with `outbox_due_at` (when the sweep may step in) and
`outbox_source` (who relays them), in the same write as the change: nothing is published for a
change that was not stored. Right after the write the relay publishes them (the fast path) and
removes them with batched marks.
What the fast path could not publish (broker down, no queue bound yet, process killed) the
relay's sweep finds through a partial index holding only documents with pending events, so its
cost does not grow with the collection: nothing stored is left unpublished. A process that dies
between publishing and marking publishes that event again later; consumers are idempotent.
"""

import asyncio
import contextlib
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from loguru import logger
from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection

from servicekit.backoff import backoff_s
from servicekit.broker import BrokerUnavailable, EventPublisher, UnroutableMessage
from servicekit.clock import now_ms
from servicekit.contracts import Event

PENDING = "outbox"  # the events not yet published, oldest first
DUE = "outbox_due_at"  # set while events are pending: when the sweep may publish them
SOURCE = "outbox_source"  # the service and exchange the events are meant for
ATTEMPTS = "outbox_attempts"
UNROUTABLE = "outbox_unroutable"  # events no queue took after every attempt, kept as evidence

OUTBOX_INDEX_NAME = "outbox_due"
OUTBOX_INDEX = IndexModel(
    [(SOURCE, ASCENDING), (DUE, ASCENDING)],
    name=OUTBOX_INDEX_NAME,
    partialFilterExpression={DUE: {"$exists": True}},
)


def event_record(event: Event, now: datetime) -> dict[str, Any]:
    """An event as stored in the outbox; its id is also the message id consumers see."""
    message_id = str(uuid.uuid4())
    body = {**event.body, "message_id": message_id, "sent_at": now.isoformat()}
    return {"id": message_id, "routing_key": event.routing_key, "body": body}


class OutboxRelay:
    """Publishes the events stored in one collection's documents: right after each write, and
    in a background sweep for what that could not publish."""

    name = "outbox-relay"

    def __init__(
        self,
        collection: AsyncCollection[Mapping],
        publisher: EventPublisher,
        source: str,
        sweep_interval_s: float = 1.0,
        lease_s: float = 30.0,
        max_backoff_s: float = 15.0,
        unroutable_attempts: int = 4,
        mark_interval_s: float = 0.05,
        sweep_batch: int = 100,
    ) -> None:
        self._collection = collection
        self._publisher = publisher
        self.source = source
        self._interval_s = sweep_interval_s
        self._lease = timedelta(seconds=lease_s)
        self._max_backoff_s = max_backoff_s
        self._unroutable_attempts = unroutable_attempts
        self._mark_interval_s = mark_interval_s
        self._sweep_batch = sweep_batch
        self._published: dict[Any, list[str]] = {}  # document id -> published event ids
        self._tasks: list[asyncio.Task[None]] = []
        self._publishing: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._retry_all = False

    def publish_soon(self, document_id: Any, records: Sequence[Mapping[str, Any]]) -> None:
        """Publish freshly stored events in the background: the request or message that stored
        them need not wait for the broker's confirm (they are safe in the document)."""
        if not records:
            return
        task = asyncio.create_task(self.publish_now(document_id, records))
        self._publishing.add(task)
        task.add_done_callback(self._publishing.discard)

    async def publish_now(self, document_id: Any, records: Sequence[Mapping[str, Any]]) -> None:
        """Publish freshly stored events in order; what fails is left for the sweep. Never
        raises: the change is stored, the caller's request or message has succeeded."""
        for record in records:
            try:
                await self._publisher.publish(
                    record["routing_key"], record["body"], message_id=record["id"]
                )
            except (BrokerUnavailable, UnroutableMessage) as error:
                logger.bind(order_id=_order_id(record)).warning(
                    "Event {} {} left for the sweep: {}", record["routing_key"], record["id"], error
                )
                self._wake.set()
                return
            self._published.setdefault(document_id, []).append(record["id"])

    async def flush_marks(self) -> None:
        """Remove the events published since the last flush from their documents: two writes
        for the whole batch, however many documents it covers."""
        if not self._published:
            return
        batch, self._published = self._published, {}
        ids = list(batch)
        event_ids = [event_id for published in batch.values() for event_id in published]
        try:
            await self._collection.update_many(
                {"_id": {"$in": ids}}, {"$pull": {PENDING: {"id": {"$in": event_ids}}}}
            )
            await self._collection.update_many(
                {"_id": {"$in": ids}, PENDING: {"$size": 0}},
                {"$unset": {PENDING: "", DUE: "", SOURCE: "", ATTEMPTS: ""}},
            )
        except Exception:
            for document_id, published in batch.items():  # MongoDB hiccup: next batch
                self._published.setdefault(document_id, []).extend(published)
            raise

    async def sweep(self) -> int:
        """Publish the due events of every document of this source; returns how many."""
        if self._retry_all:
            self._retry_all = False
            await self._collection.update_many(
                {SOURCE: self.source, DUE: {"$gt": now_ms()}}, {"$set": {DUE: now_ms()}}
            )
        published = 0
        while True:
            due = self._collection.find(
                {SOURCE: self.source, DUE: {"$lte": now_ms()}},
                {PENDING: 1, DUE: 1, ATTEMPTS: 1},
                sort=[(SOURCE, ASCENDING), (DUE, ASCENDING)],
                limit=self._sweep_batch,
                # No hint: SecantusDB's Rust server then walks the whole partial index (70 ms at
                # 100k orders, against 0.4 ms without); its Python server scans the collection
                # without one (the sweep's cost grows with stored orders there).
            )
            documents = await due.to_list()
            for document in documents:
                published += await self._sweep_one(document)
            if len(documents) < self._sweep_batch:
                return published

    async def _sweep_one(self, document: Mapping[str, Any]) -> int:
        """Lease one document (a compare-and-set on its due time, so that two instances do not
        publish the same events at once) and publish its pending events in order."""
        now = now_ms()
        leased = await self._collection.update_one(
            {"_id": document["_id"], DUE: document[DUE]}, {"$set": {DUE: now + self._lease}}
        )
        if leased.modified_count == 0:
            return 0
        records = document.get(PENDING) or []
        for count, record in enumerate(records):
            try:
                await self._publisher.publish(
                    record["routing_key"], record["body"], message_id=record["id"]
                )
            except BrokerUnavailable as error:
                await self._retry_later(document, error)
                return count
            except UnroutableMessage as error:
                if int(document.get(ATTEMPTS, 0)) + 1 < self._unroutable_attempts:
                    await self._retry_later(document, error)
                    return count
                await self._drop_unroutable(document["_id"], record, error)
                continue
            self._published.setdefault(document["_id"], []).append(record["id"])
        if not records:
            self._published.setdefault(document["_id"], [])  # the marks clear the due time
        return len(records)

    async def _retry_later(self, document: Mapping[str, Any], error: Exception) -> None:
        attempts = int(document.get(ATTEMPTS, 0)) + 1
        delay_s = backoff_s(attempts, self._max_backoff_s)
        await self._collection.update_one(
            {"_id": document["_id"]},
            {"$set": {DUE: now_ms() + timedelta(seconds=delay_s)}, "$inc": {ATTEMPTS: 1}},
        )
        logger.bind(order_id=_order_id(document.get(PENDING, [{}])[0])).warning(
            "Events of {} not published yet (attempt {}), retry in {:.1f} s: {}",
            document["_id"],
            attempts,
            delay_s,
            error,
        )

    async def _drop_unroutable(
        self, document_id: Any, record: Mapping[str, Any], error: Exception
    ) -> None:
        # Nobody subscribes to this key (no consumer's queue was ever declared): keep the
        # event as evidence, stop retrying, and say so loudly.
        await self._collection.update_one(
            {"_id": document_id},
            {
                "$pull": {PENDING: {"id": record["id"]}},
                "$push": {UNROUTABLE: {**record, "error": str(error), "at": now_ms()}},
            },
        )
        self._published.setdefault(document_id, [])
        logger.bind(order_id=_order_id(record)).error(
            "Event {} {} dropped: {}", record["routing_key"], record["id"], error
        )

    def retry_now(self) -> None:
        """Publish every waiting event at the next sweep (the broker is back)."""
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

    async def drain(self, timeout_s: float = 5.0) -> None:
        """Wait for the background publishing started so far (what it leaves, the sweep takes)."""
        if self._publishing:
            await asyncio.wait(set(self._publishing), timeout=timeout_s)

    async def stop(self) -> None:
        await self.drain()
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
                logger.warning("Could not mark published outbox events: {!r}", error)


def _order_id(record: Mapping[str, Any]) -> Any:
    return record.get("body", {}).get("metadata", {}).get("order_id")


async def count_pending(
    collection: AsyncCollection[Mapping], sources: Sequence[str], query: Mapping[str, Any] = {}
) -> int:
    """How many documents of `collection` hold events of `sources` not yet published."""
    return await collection.count_documents({SOURCE: {"$in": list(sources)}, **query})
