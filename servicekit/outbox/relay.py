"""The outbox relay: publishes freshly stored events at once and runs the sweep and the marks."""

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from loguru import logger
from pymongo.asynchronous.collection import AsyncCollection

from servicekit.broker import BrokerUnavailable, EventPublisher, UnroutableMessage
from servicekit.mongo import database_unavailable
from servicekit.outbox.marks import PublishedMarks
from servicekit.outbox.metrics import OutboxBacklog
from servicekit.outbox.records import order_id, publish_record
from servicekit.outbox.sweep import OutboxSweep
from servicekit.periodic import Periodic


class OutboxRelay:
    """Publishes the events stored in one collection's documents: right after each write, and
    in a background sweep for what that could not publish; measures the backlog every
    `backlog_interval_s` (the outbox gauges)."""

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
        backlog_interval_s: float = 5.0,
    ) -> None:
        self.source = source
        self._publisher = publisher
        self._marks = PublishedMarks(collection)
        self._sweeper = OutboxSweep(
            collection,
            publisher,
            source,
            self._marks,
            interval_s=sweep_interval_s,
            lease=timedelta(seconds=lease_s),
            max_backoff_s=max_backoff_s,
            unroutable_attempts=unroutable_attempts,
            batch=sweep_batch,
        )
        self._backlog = OutboxBacklog(collection, source)
        self._loops = [
            Periodic(self._flush_marks_unless_away, mark_interval_s,
                     "Could not mark published outbox events", "outbox-marks"),
            # MongoDB away: the sweep says so; the gauges keep their last values.
            Periodic(self._backlog.measure, backlog_interval_s,
                     "Could not measure the outbox backlog", "outbox-backlog", "DEBUG"),
        ]  # fmt: skip
        self._sweep_task: asyncio.Task[None] | None = None
        self._publishing: set[asyncio.Task[None]] = set()

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
                await publish_record(self._publisher, record)
            except (BrokerUnavailable, UnroutableMessage) as error:
                logger.bind(order_id=order_id(record)).warning(
                    "Event {} {} left for the sweep: {}", record["routing_key"], record["id"], error
                )
                self._sweeper.wake.set()
                return
            self._marks.add(document_id, record["id"])

    async def flush_marks(self) -> None:
        """Remove the events published since the last flush from their documents."""
        await self._marks.flush()

    async def _flush_marks_unless_away(self) -> None:
        """The marks loop's step: while MongoDB is away the marks wait (the sweep says so)."""
        try:
            await self._marks.flush()
        except Exception as error:
            if not database_unavailable(error):
                raise
            self._sweeper.outage.failed(error)

    async def sweep(self) -> int:
        """Publish the due events of every document of this source; returns how many."""
        return await self._sweeper.sweep()

    async def measure_backlog(self) -> tuple[int, float]:
        """Update the outbox gauges now; returns (events waiting, age of the oldest in s)."""
        return await self._backlog.measure()

    def retry_now(self) -> None:
        """Publish every waiting event at the next sweep (the broker is back)."""
        self._sweeper.retry_now()

    @property
    def is_running(self) -> bool:
        sweeping = self._sweep_task is not None and not self._sweep_task.done()
        return sweeping and all(loop.is_running for loop in self._loops)

    def start(self) -> None:
        self._sweep_task = asyncio.create_task(self._sweeper.run_forever(), name="outbox-sweep")
        for loop in self._loops:
            loop.start()

    async def drain(self, timeout_s: float = 5.0) -> None:
        """Wait for the background publishing started so far (what it leaves, the sweep takes)."""
        if self._publishing:
            await asyncio.wait(set(self._publishing), timeout=timeout_s)

    async def stop(self) -> None:
        await self.drain()
        if self._sweep_task is not None:
            self._sweep_task.cancel()
            await asyncio.gather(self._sweep_task, return_exceptions=True)
            self._sweep_task = None
        for loop in self._loops:
            await loop.stop()
        with contextlib.suppress(Exception):
            await self.flush_marks()
