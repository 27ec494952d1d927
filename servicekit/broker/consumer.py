"""Consuming a service queue: ack after the handler succeeds, retry with back-off, dead-letter."""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import aio_pika
import ujson
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue
from loguru import logger
from pydantic import ValidationError

from servicekit.broker.connection import BrokerConnection
from servicekit.broker.errors import BrokerUnavailable, MalformedMessage, UnroutableMessage
from servicekit.broker.messages import InboundMessage
from servicekit.broker.publisher import EventPublisher
from servicekit.broker.topology import ServiceQueue

MessageHandler = Callable[[InboundMessage], Awaitable[None]]

ATTEMPT_HEADER = "x-attempt"
ROUTING_KEY_HEADER = "x-original-routing-key"
EXCHANGE_HEADER = "x-original-exchange"
REASON_HEADER = "x-death-reason"


def _attempt(headers: dict[str, Any]) -> int:
    """The retry count our consumer wrote; anything a sender put there that is not a small
    count reads as a first attempt."""
    try:
        return max(0, min(int(headers.get(ATTEMPT_HEADER, 0) or 0), 1000))
    except (TypeError, ValueError):
        return 0


def _decode(raw: AbstractIncomingMessage) -> InboundMessage:
    try:
        body = ujson.loads(raw.body)
    except ValueError:
        raise MalformedMessage("body is not JSON") from None
    if not isinstance(body, dict):
        raise MalformedMessage(f"body is a JSON {type(body).__name__}, not an object")
    headers = dict(raw.headers or {})
    return InboundMessage(
        routing_key=str(headers.get(ROUTING_KEY_HEADER) or raw.routing_key or ""),
        body=body,
        message_id=raw.message_id,
        attempt=_attempt(headers),
        headers=headers,
    )


def _order_id(raw: AbstractIncomingMessage) -> str:
    """Best-effort order id for log lines about a message that may not even be JSON."""
    try:
        return str(ujson.loads(raw.body)["metadata"]["order_id"])
    except Exception:
        return ""


class QueueConsumer:
    """Runs a handler for every message of a service queue, `prefetch_count` at a time.

    aio-pika's robust connection re-opens the channel and re-subscribes after a reconnect, but
    a subscription can still go missing (a restore that failed half-way, a consumer cancelled
    by the broker). A watchdog checks every `check_interval_s` that the subscription is there
    while the connection is up; missing on two checks in a row, it subscribes again on a new
    channel, so a queue is never left without its consumer.
    """

    def __init__(
        self,
        broker: BrokerConnection,
        publisher: EventPublisher,
        queue: ServiceQueue,
        handler: MessageHandler,
        prefetch_count: int = 32,
        check_interval_s: float = 5.0,
    ) -> None:
        self._broker = broker
        self._publisher = publisher
        self._queue = queue
        self._handler = handler
        self._prefetch = prefetch_count
        self._check_interval_s = check_interval_s
        self._channel: AbstractChannel | None = None
        self._amqp_queue: AbstractQueue | None = None
        self._consumer_tag: str | None = None
        self._subscribed = False  # the watchdog's last verdict
        self._watchdog: asyncio.Task[None] | None = None
        self._resubscribing = asyncio.Lock()
        self._working: set[asyncio.Task[None]] = set()
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def is_running(self) -> bool:
        return (
            self._consumer_tag is not None
            and self._subscribed
            and self._channel is not None
            and not self._channel.is_closed
            and self._broker.is_connected
        )

    async def start(self) -> None:
        await self._subscribe()
        self._watchdog = asyncio.create_task(
            self._watch(), name=f"consumer-watchdog:{self._queue.name}"
        )
        logger.info(
            "Consuming {!r} (keys {}, prefetch {})",
            self._queue.name,
            list(self._queue.binding_keys),
            self._prefetch,
        )

    async def _subscribe(self) -> None:
        channel = self._channel = await self._broker.new_channel(self._prefetch)
        self._amqp_queue = await self._queue.declare(self._broker, channel)
        self._consumer_tag = await self._amqp_queue.consume(self._on_message)
        self._subscribed = True

    async def _is_subscribed(self) -> bool:
        """True when our channel is open and the broker confirmed our consumer on it."""
        channel, tag = self._channel, self._consumer_tag
        if channel is None or tag is None or channel.is_closed:
            return False
        try:
            underlay = await asyncio.wait_for(channel.get_underlay_channel(), 1.0)
        except Exception:
            return False
        return tag in underlay.consumers

    async def _watch(self) -> None:
        missing_before = False
        while True:
            # After a miss, look again soon: aio-pika's restore is usually done within a second.
            await asyncio.sleep(
                min(1.0, self._check_interval_s) if missing_before else self._check_interval_s
            )
            if not self._broker.is_connected:
                missing_before = False  # aio-pika is reconnecting; judge once it is back
                continue
            try:
                self._subscribed = await self._is_subscribed()
                if self._subscribed:
                    missing_before = False
                elif not missing_before:
                    missing_before = True  # give aio-pika's own restore a moment
                else:
                    missing_before = False
                    async with self._resubscribing:  # stop() waits for it, never cuts it
                        if self._watchdog is not None:
                            await self._resubscribe()
            except Exception as error:  # the watchdog itself must never die
                logger.opt(exception=error).error("Consumer watchdog of {!r}", self._queue.name)

    async def _resubscribe(self) -> None:
        logger.warning(
            "Consumer of {!r} is gone although the connection is up; subscribing again",
            self._queue.name,
        )
        old_channel, old_queue, old_tag = self._channel, self._amqp_queue, self._consumer_tag
        self._channel = self._amqp_queue = self._consumer_tag = None
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
            await self._subscribe()
        except Exception as error:
            logger.error("Could not subscribe to {!r} again: {!r}", self._queue.name, error)
        else:
            logger.info("Consuming {!r} again", self._queue.name)

    async def stop(self, timeout_s: float = 10.0) -> None:
        """Stop taking new messages, let the ones in flight finish, close the channel."""
        if self._watchdog is not None:
            watchdog, self._watchdog = self._watchdog, None
            async with self._resubscribing:
                watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog
        if self._amqp_queue is not None and self._consumer_tag is not None:
            try:
                await self._amqp_queue.cancel(self._consumer_tag)
            except Exception as error:  # the channel may already be gone
                logger.debug("Cancel of consumer failed: {!r}", error)
        self._consumer_tag = None
        self._subscribed = False
        try:
            await asyncio.wait_for(self._idle.wait(), timeout_s)
        except TimeoutError:
            logger.warning("{} message(s) still in flight at shutdown", self._in_flight)
        if self._channel is not None and not self._channel.is_closed:
            await self._channel.close()
        self._channel = None

    async def _on_message(self, raw: AbstractIncomingMessage) -> None:
        # aiormq cancels its consumer callbacks when the channel closes (a broker restart).
        # The work of a message must not stop half-way (a change stored, its cache write or
        # follow-up not done yet): it runs to its end in a task of its own; when the ack can
        # no longer be sent, the broker delivers the message again (handlers are idempotent).
        self._in_flight += 1  # counted from now: stop() waits even for work not started yet
        self._idle.clear()
        work = asyncio.create_task(self._run(raw))
        self._working.add(work)
        work.add_done_callback(self._work_done)
        await asyncio.shield(work)

    def _work_done(self, work: asyncio.Task[None]) -> None:
        self._working.discard(work)
        self._in_flight -= 1
        if self._in_flight == 0:
            self._idle.set()

    async def _run(self, raw: AbstractIncomingMessage) -> None:
        try:
            await self._process(raw)
        except Exception as error:
            # Even moving a failed message failed: never leave it unacked (it would hold a
            # prefetch slot for good); give it back to the queue after a pause.
            logger.opt(exception=error).error("Could not settle message {}", raw.message_id)
            await asyncio.sleep(1.0)
            await self._nack(raw)

    async def _process(self, raw: AbstractIncomingMessage) -> None:
        try:
            message = _decode(raw)
            await self._handler(message)
        except (MalformedMessage, ValidationError) as error:
            await self._settle_failure(raw, f"malformed: {_short(error)}", retry=False)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            await self._settle_failure(raw, f"{type(error).__name__}: {_short(error)}", retry=True)
        else:
            await self._ack(raw)

    async def _settle_failure(self, raw: AbstractIncomingMessage, reason: str, retry: bool) -> None:
        headers: dict[str, Any] = dict(raw.headers or {})
        attempt = _attempt(headers)
        headers.setdefault(ROUTING_KEY_HEADER, raw.routing_key or "")
        headers.setdefault(EXCHANGE_HEADER, raw.exchange or "")
        order_log = logger.bind(order_id=_order_id(raw) or None)
        if retry and attempt < self._queue.max_retries:
            target = self._queue.retry_queue(attempt)
            headers[ATTEMPT_HEADER] = attempt + 1
            headers[REASON_HEADER] = reason
            order_log.warning(
                "Message {} on {!r} failed ({}), retry {}/{} via {}",
                raw.message_id,
                headers[ROUTING_KEY_HEADER],
                reason,
                attempt + 1,
                self._queue.max_retries,
                target,
            )
        else:
            target = self._queue.dead_letter_queue
            headers[REASON_HEADER] = reason if not retry else f"{reason} (after {attempt} retries)"
            headers["x-failed-at"] = datetime.now(UTC).isoformat()
            order_log.error(
                "Message {} on {!r} dead-lettered to {}: {}",
                raw.message_id,
                headers[ROUTING_KEY_HEADER],
                target,
                headers[REASON_HEADER],
            )
        copy = aio_pika.Message(
            body=raw.body,
            headers=headers,
            content_type=raw.content_type,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=raw.message_id,
            timestamp=raw.timestamp,
        )
        try:
            await self._publisher.forward(target, copy)
        except (BrokerUnavailable, UnroutableMessage) as error:
            # Could not park the copy: leave the original on the queue to try again later.
            logger.error("Could not move message {} to {}: {}", raw.message_id, target, error)
            await asyncio.sleep(1.0)
            await self._nack(raw)
            return
        await self._ack(raw)

    async def _ack(self, raw: AbstractIncomingMessage) -> None:
        try:
            await raw.ack()
        except Exception as error:  # channel lost: the broker redelivers, handlers are idempotent
            logger.warning("Ack of message {} failed: {!r}", raw.message_id, error)

    async def _nack(self, raw: AbstractIncomingMessage) -> None:
        try:
            await raw.nack(requeue=True)
        except Exception as error:
            logger.warning("Nack of message {} failed: {!r}", raw.message_id, error)


def _short(error: BaseException) -> str:
    text = str(error).replace("\n", " ")
    return text[:300] if text else type(error).__name__
