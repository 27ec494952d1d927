"""What becomes of a delivered message: acked once its handler succeeded; on failure a copy goes
to the next retry queue (or, malformed or out of retries, the dead-letter queue), then acked.
A failure because MongoDB cannot be reached is no fault of the message: it goes back to the
queue after a pause, and no retry is counted.

Each delivery is handled inside its consume span (a child of the trace context in its headers,
so the handler's log lines and calls join the trace) and counted by how it was settled.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aio_pika
from aio_pika.abc import AbstractIncomingMessage
from loguru import logger
from opentelemetry.trace import Span
from pydantic import ValidationError

from servicekit.broker.decoding import attempt, decode, original_routing_key
from servicekit.broker.errors import (
    BrokerUnavailable,
    MalformedMessage,
    UnroutableMessage,
    short_reason,
)
from servicekit.broker.failures import DatabaseWait, route_failure
from servicekit.broker.messages import InboundMessage
from servicekit.broker.metrics import ACK, IGNORED, RETRY, count_consumed, observe_handling
from servicekit.broker.publisher import EventPublisher
from servicekit.broker.spans import ORDER_ID, consume_span, order_id_of, settled
from servicekit.broker.topology import ServiceQueue
from servicekit.mongo import database_unavailable

# A handler that returns False ignored the message (a duplicate, a late event): it is acked and
# counted as ignored. Any other result counts as handled.
MessageHandler = Callable[[InboundMessage], Awaitable[object]]


@dataclass(frozen=True)
class Settlement:
    """Runs the handler on one delivery and settles it, whatever happens: never left unacked."""

    publisher: EventPublisher
    queue: ServiceQueue
    handler: MessageHandler
    database_wait: DatabaseWait = field(default_factory=DatabaseWait)

    async def run(self, raw: AbstractIncomingMessage) -> None:
        headers = raw.headers or {}
        routing_key = original_routing_key(raw)
        with consume_span(
            self.publisher.tracer,
            headers,
            self.queue.name,
            routing_key,
            raw.message_id,
            attempt(headers),
        ) as span:
            try:
                outcome = await self._process(raw, routing_key, span)
            except Exception as error:
                # Even moving a failed message failed: never leave it unacked (it would hold a
                # prefetch slot for good); give it back to the queue after a pause.
                logger.opt(exception=error).error("Could not settle message {}", raw.message_id)
                await asyncio.sleep(1.0)
                await nack(raw)
                outcome = RETRY
            settled(span, outcome, failed=outcome not in (ACK, IGNORED))
        count_consumed(self.queue.name, routing_key, outcome)

    async def _process(self, raw: AbstractIncomingMessage, routing_key: str, span: Span) -> str:
        try:
            result = await self._handle(raw, routing_key, span)
        except (MalformedMessage, ValidationError) as error:
            return await self._settle_failure(raw, f"malformed: {short_reason(error)}", retry=False)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            if database_unavailable(error):
                await asyncio.sleep(self.database_wait.pause_s(raw, error))
                await nack(raw)
                return RETRY
            reason = f"{type(error).__name__}: {short_reason(error)}"
            return await self._settle_failure(raw, reason, retry=True)
        self.database_wait.handled()
        await ack(raw)
        return IGNORED if result is False else ACK

    async def _handle(self, raw: AbstractIncomingMessage, routing_key: str, span: Span) -> object:
        began = time.perf_counter()
        try:
            message = decode(raw)
            order_id = order_id_of(message.body)
            if order_id:
                span.set_attribute(ORDER_ID, order_id)
            return await self.handler(message)
        finally:
            observe_handling(self.queue.name, routing_key, time.perf_counter() - began)

    async def _settle_failure(self, raw: AbstractIncomingMessage, reason: str, retry: bool) -> str:
        """Park a copy of the failed message, then ack it; the outcome to count."""
        failure = route_failure(self.queue, raw, reason, retry)
        copy = aio_pika.Message(
            body=raw.body,
            headers=failure.headers,
            content_type=raw.content_type,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=raw.message_id,
            timestamp=raw.timestamp,
        )
        try:
            await self.publisher.forward(failure.target, copy, failure.order_id)
        except (BrokerUnavailable, UnroutableMessage) as error:
            # Could not park the copy: leave the original on the queue to try again later.
            logger.error(
                "Could not move message {} to {}: {}", raw.message_id, failure.target, error
            )
            await asyncio.sleep(1.0)
            await nack(raw)
            return RETRY
        await ack(raw)
        return failure.outcome


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
