"""The relay's sweep: publishes what the fast path could not, leasing each document it takes,
backing off while the broker is away, and setting aside events no queue takes."""

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from loguru import logger
from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection

from servicekit.backoff import backoff_s
from servicekit.broker import BrokerUnavailable, EventPublisher, UnroutableMessage
from servicekit.clock import now_ms
from servicekit.mongo import OutageNotice, database_unavailable
from servicekit.outbox.marks import PublishedMarks
from servicekit.outbox.records import (
    ATTEMPTS,
    DUE,
    PENDING,
    SOURCE,
    UNROUTABLE,
    order_id,
    publish_record,
)


@dataclass(eq=False)
class OutboxSweep:
    """Publishes the due events of every document of `source`, every `interval_s` or when woken."""

    collection: AsyncCollection[Mapping]
    publisher: EventPublisher
    source: str
    marks: PublishedMarks
    interval_s: float
    lease: timedelta
    max_backoff_s: float
    unroutable_attempts: int
    batch: int
    outage: OutageNotice = field(default_factory=lambda: OutageNotice("the outbox relay"))
    wake: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    _retry_all: bool = field(default=False, init=False)

    def retry_now(self) -> None:
        """Publish every waiting event at the next sweep (the broker is back)."""
        self._retry_all = True
        self.wake.set()

    async def sweep(self) -> int:
        """Publish the due events of every document of this source; returns how many."""
        if self._retry_all:
            self._retry_all = False
            await self.collection.update_many(
                {SOURCE: self.source, DUE: {"$gt": now_ms()}}, {"$set": {DUE: now_ms()}}
            )
        published = 0
        while True:
            due = self.collection.find(
                {SOURCE: self.source, DUE: {"$lte": now_ms()}},
                {PENDING: 1, DUE: 1, ATTEMPTS: 1},
                sort=[(SOURCE, ASCENDING), (DUE, ASCENDING)],
                limit=self.batch,
                # No hint: SecantusDB's Rust server then walks the whole partial index (70 ms at
                # 100k orders, against 0.4 ms without); its Python server scans the collection
                # without one (the sweep's cost grows with stored orders there).
            )
            documents = await due.to_list()
            for document in documents:
                published += await self.sweep_one(document)
            if len(documents) < self.batch:
                return published

    async def sweep_one(self, document: Mapping[str, Any]) -> int:
        """Lease one document (a compare-and-set on its due time, so that two instances do not
        publish the same events at once) and publish its pending events in order."""
        now = now_ms()
        leased = await self.collection.update_one(
            {"_id": document["_id"], DUE: document[DUE]}, {"$set": {DUE: now + self.lease}}
        )
        if leased.modified_count == 0:
            return 0
        records = document.get(PENDING) or []
        for count, record in enumerate(records):
            try:
                await publish_record(self.publisher, record)
            except BrokerUnavailable as error:
                await self._retry_later(document, error)
                return count
            except UnroutableMessage as error:
                if int(document.get(ATTEMPTS, 0)) + 1 < self.unroutable_attempts:
                    await self._retry_later(document, error)
                    return count
                await self._drop_unroutable(document["_id"], record, error)
                continue
            self.marks.add(document["_id"], record["id"])
        if not records:
            self.marks.add(document["_id"])  # the marks clear the due time
        return len(records)

    async def _retry_later(self, document: Mapping[str, Any], error: Exception) -> None:
        attempts = int(document.get(ATTEMPTS, 0)) + 1
        delay_s = backoff_s(attempts, self.max_backoff_s)
        await self.collection.update_one(
            {"_id": document["_id"]},
            {"$set": {DUE: now_ms() + timedelta(seconds=delay_s)}, "$inc": {ATTEMPTS: 1}},
        )
        logger.bind(order_id=order_id(document.get(PENDING, [{}])[0])).warning(
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
        await self.collection.update_one(
            {"_id": document_id},
            {
                "$pull": {PENDING: {"id": record["id"]}},
                "$push": {UNROUTABLE: {**record, "error": str(error), "at": now_ms()}},
            },
        )
        self.marks.add(document_id)
        logger.bind(order_id=order_id(record)).error(
            "Event {} {} dropped: {}", record["routing_key"], record["id"], error
        )

    async def run_forever(self) -> None:
        while True:
            try:
                published = await self.sweep()
                self.outage.recovered()
                if published:
                    logger.info("Outbox relay published {} pending event(s)", published)
            except Exception as error:  # keep the relay alive, try again later
                if database_unavailable(error):
                    self.outage.failed(error)
                else:
                    logger.warning("Outbox sweep failed: {!r}", error)
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), self.interval_s)
