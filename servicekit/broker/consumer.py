"""Consuming a service queue: ack after the handler succeeds, retry with back-off, dead-letter.

The parts: the subscription and its watchdog (`subscription`, `watchdog`), the work in flight
(`in_flight`), and what becomes of each message (`settlement`, `failures`); each message's
consume span (`spans`) and the consumer's Prometheus metrics (`metrics`).
"""

import asyncio

from aio_pika.abc import AbstractIncomingMessage
from loguru import logger

from servicekit.broker.connection import BrokerConnection
from servicekit.broker.in_flight import InFlight
from servicekit.broker.metrics import in_flight_gauge, track_subscription
from servicekit.broker.publisher import EventPublisher
from servicekit.broker.settlement import MessageHandler, Settlement
from servicekit.broker.subscription import Subscription
from servicekit.broker.topology import ServiceQueue
from servicekit.broker.watchdog import SubscriptionWatchdog

__all__ = ["MessageHandler", "QueueConsumer"]


class QueueConsumer:
    """Runs a handler for every message of a service queue, `prefetch_count` at a time, and
    subscribes again (checked every `check_interval_s`) when its subscription goes missing."""

    def __init__(
        self,
        broker: BrokerConnection,
        publisher: EventPublisher,
        queue: ServiceQueue,
        handler: MessageHandler,
        prefetch_count: int = 32,
        check_interval_s: float = 5.0,
    ) -> None:
        self._settlement = Settlement(publisher, queue, handler)
        self._in_flight = InFlight(in_flight_gauge(queue.name))
        self._subscription = Subscription(broker, queue, prefetch_count, self._on_message)
        track_subscription(queue.name, self._subscription)
        self._watchdog = SubscriptionWatchdog(self._subscription, check_interval_s)

    @property
    def is_running(self) -> bool:
        return self._subscription.is_active

    async def start(self) -> None:
        subscription = self._subscription
        await subscription.subscribe()
        self._watchdog.start()
        logger.info(
            "Consuming {!r} (keys {}, prefetch {})",
            subscription.queue.name,
            list(subscription.queue.binding_keys),
            subscription.prefetch_count,
        )

    async def stop(self, timeout_s: float = 10.0) -> None:
        """Stop taking new messages, let the ones in flight finish, close the channel."""
        await self._watchdog.stop()
        await self._subscription.cancel()
        try:
            await asyncio.wait_for(self._in_flight.idle.wait(), timeout_s)
        except TimeoutError:
            logger.warning("{} message(s) still in flight at shutdown", self._in_flight.count)
        await self._subscription.close()

    async def _on_message(self, raw: AbstractIncomingMessage) -> None:
        # aiormq cancels its consumer callbacks when the channel closes (a broker restart).
        # The work of a message must not stop half-way (a change stored, its cache write or
        # follow-up not done yet): it runs to its end in a task of its own; when the ack can
        # no longer be sent, the broker delivers the message again (handlers are idempotent).
        await self._in_flight.run(self._settlement.run(raw))
