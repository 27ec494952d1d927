"""A consumer's subscription to its queue: on a channel of its own, checked, replaced, cancelled."""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue
from loguru import logger

from servicekit.broker.connection import BrokerConnection
from servicekit.broker.topology import ServiceQueue


@dataclass(eq=False)
class Subscription:
    """Delivers the messages of `queue` to `on_message`, `prefetch_count` at a time."""

    broker: BrokerConnection
    queue: ServiceQueue
    prefetch_count: int
    on_message: Callable[[AbstractIncomingMessage], Awaitable[None]]
    channel: AbstractChannel | None = field(default=None, init=False)
    amqp_queue: AbstractQueue | None = field(default=None, init=False)
    consumer_tag: str | None = field(default=None, init=False)
    subscribed: bool = field(default=False, init=False)  # the last check's verdict

    @property
    def is_active(self) -> bool:
        return (
            self.consumer_tag is not None
            and self.subscribed
            and self.channel is not None
            and not self.channel.is_closed
            and self.broker.is_connected
        )

    async def subscribe(self) -> None:
        channel = self.channel = await self.broker.new_channel(self.prefetch_count)
        self.amqp_queue = await self.queue.declare(self.broker, channel)
        self.consumer_tag = await self.amqp_queue.consume(self.on_message)
        self.subscribed = True

    async def check(self) -> bool:
        """Whether our channel is open and the broker confirmed our consumer on it (remembered
        in `subscribed`)."""
        self.subscribed = await self._confirmed()
        return self.subscribed

    async def _confirmed(self) -> bool:
        channel, tag = self.channel, self.consumer_tag
        if channel is None or tag is None or channel.is_closed:
            return False
        try:
            underlay = await asyncio.wait_for(channel.get_underlay_channel(), 1.0)
        except Exception:
            return False
        return tag in underlay.consumers

    async def replace(self) -> None:
        """Subscribe again on a new channel, retiring the old subscription first."""
        logger.warning(
            "Consumer of {!r} is gone although the connection is up; subscribing again",
            self.queue.name,
        )
        old_channel, old_queue, old_tag = self.channel, self.amqp_queue, self.consumer_tag
        self.channel = self.amqp_queue = self.consumer_tag = None
        # Retire the old subscription for good, or aio-pika could restore it later next to
        # the new one: cancelling forgets the consumer (even when the broker cannot be told),
        # closing forgets the channel. Its unacked messages go back to the queue.
        if old_queue is not None and old_tag is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(old_queue.cancel(old_tag), 5.0)
        if old_channel is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(old_channel.close(), 5.0)
        try:
            await self.subscribe()
        except Exception as error:
            logger.error("Could not subscribe to {!r} again: {!r}", self.queue.name, error)
        else:
            logger.info("Consuming {!r} again", self.queue.name)

    async def cancel(self) -> None:
        """Take no new messages; the channel stays open for the acks of those in flight."""
        if self.amqp_queue is not None and self.consumer_tag is not None:
            try:
                await self.amqp_queue.cancel(self.consumer_tag)
            except Exception as error:  # the channel may already be gone
                logger.debug("Cancel of consumer failed: {!r}", error)
        self.consumer_tag = None
        self.subscribed = False

    async def close(self) -> None:
        if self.channel is not None and not self.channel.is_closed:
            await self.channel.close()
        self.channel = None
