"""What becomes of a delivered message: acked once its handler succeeded; on failure a copy goes
to the next retry queue (or, malformed or out of retries, the dead-letter queue), then acked."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage
from loguru import logger
from pydantic import ValidationError

from servicekit.broker.decoding import (
    ATTEMPT_HEADER,
    EXCHANGE_HEADER,
    REASON_HEADER,
    ROUTING_KEY_HEADER,
    attempt,
    decode,
    order_id,
)
from servicekit.broker.errors import BrokerUnavailable, MalformedMessage, UnroutableMessage
from servicekit.broker.messages import InboundMessage
from servicekit.broker.publisher import EventPublisher
from servicekit.broker.topology import ServiceQueue

MessageHandler = Callable[[InboundMessage], Awaitable[None]]


@dataclass(frozen=True)
class Settlement:
    """Runs the handler on one delivery and settles it, whatever happens: never left unacked."""

    publisher: EventPublisher
    queue: ServiceQueue
    handler: MessageHandler

    async def run(self, raw: AbstractIncomingMessage) -> None:
        try:
            await self._process(raw)
        except Exception as error:
            # Even moving a failed message failed: never leave it unacked (it would hold a
            # prefetch slot for good); give it back to the queue after a pause.
            logger.opt(exception=error).error("Could not settle message {}", raw.message_id)
            await asyncio.sleep(1.0)
            await nack(raw)

    async def _process(self, raw: AbstractIncomingMessage) -> None:
        try:
            await self.handler(decode(raw))
        except (MalformedMessage, ValidationError) as error:
            await self._settle_failure(raw, f"malformed: {_short(error)}", retry=False)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            await self._settle_failure(raw, f"{type(error).__name__}: {_short(error)}", retry=True)
        else:
            await ack(raw)

    async def _settle_failure(self, raw: AbstractIncomingMessage, reason: str, retry: bool) -> None:
        target, headers = self._route_failure(raw, reason, retry)
        copy = aio_pika.Message(
            body=raw.body,
            headers=headers,
            content_type=raw.content_type,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=raw.message_id,
            timestamp=raw.timestamp,
        )
        try:
            await self.publisher.forward(target, copy)
        except (BrokerUnavailable, UnroutableMessage) as error:
            # Could not park the copy: leave the original on the queue to try again later.
            logger.error("Could not move message {} to {}: {}", raw.message_id, target, error)
            await asyncio.sleep(1.0)
            await nack(raw)
            return
        await ack(raw)

    def _route_failure(
        self, raw: AbstractIncomingMessage, reason: str, retry: bool
    ) -> tuple[str, dict[str, Any]]:
        """The queue a failed message's copy goes to (the next retry or the dead letters), and
        the copy's headers saying why and how often."""
        headers: dict[str, Any] = dict(raw.headers or {})
        attempts = attempt(headers)
        headers.setdefault(ROUTING_KEY_HEADER, raw.routing_key or "")
        headers.setdefault(EXCHANGE_HEADER, raw.exchange or "")
        order_log = logger.bind(order_id=order_id(raw) or None)
        if retry and attempts < self.queue.max_retries:
            target = self.queue.retry_queue(attempts)
            headers[ATTEMPT_HEADER] = attempts + 1
            headers[REASON_HEADER] = reason
            order_log.warning(
                "Message {} on {!r} failed ({}), retry {}/{} via {}",
                raw.message_id,
                headers[ROUTING_KEY_HEADER],
                reason,
                attempts + 1,
                self.queue.max_retries,
                target,
            )
            return target, headers
        target = self.queue.dead_letter_queue
        headers[REASON_HEADER] = reason if not retry else f"{reason} (after {attempts} retries)"
        headers["x-failed-at"] = datetime.now(UTC).isoformat()
        order_log.error(
            "Message {} on {!r} dead-lettered to {}: {}",
            raw.message_id,
            headers[ROUTING_KEY_HEADER],
            target,
            headers[REASON_HEADER],
        )
        return target, headers


async def ack(raw: AbstractIncomingMessage) -> None:
    try:
        await raw.ack()
    except Exception as error:  # channel lost: the broker redelivers, handlers are idempotent
        logger.warning("Ack of message {} failed: {!r}", raw.message_id, error)


async def nack(raw: AbstractIncomingMessage) -> None:
    try:
        await raw.nack(requeue=True)
    except Exception as error:
        logger.warning("Nack of message {} failed: {!r}", raw.message_id, error)


def _short(error: BaseException) -> str:
    text = str(error).replace("\n", " ")
    return text[:300] if text else type(error).__name__
