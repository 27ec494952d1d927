"""Publishing with confirms: a message is either taken by a bound queue or the call raises."""

import uuid
from datetime import UTC, datetime
from typing import Any

import aio_pika
import ujson
from aio_pika.abc import AbstractMessage
from aio_pika.exceptions import AMQPError, DeliveryError, PublishError
from loguru import logger
from opentelemetry.trace import Span, Tracer

from servicekit.broker.connection import BrokerConnection
from servicekit.broker.errors import BrokerUnavailable, UnroutableMessage
from servicekit.broker.metrics import CONFIRMED, UNAVAILABLE, UNROUTABLE, count_published
from servicekit.broker.spans import (
    MESSAGE_ID,
    OUTCOME,
    default_tracer,
    order_id_of,
    publish_span,
    with_trace_context,
)


def build_message(
    body: dict[str, Any] | bytes,
    message_id: str | None = None,
    headers: dict[str, Any] | None = None,
    *,
    content_type: str | None = "application/json",
    timestamp: datetime | None = None,
) -> aio_pika.Message:
    """A persistent JSON message with an id and the time it was sent. A `bytes` body is sent
    as it is (a copy, or a deliberately malformed test message)."""
    return aio_pika.Message(
        body=body if isinstance(body, bytes) else ujson.dumps(body).encode(),
        content_type=content_type,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=message_id or str(uuid.uuid4()),
        timestamp=timestamp or datetime.now(UTC),
        headers=headers or {},
    )


def copy_message(raw: AbstractMessage, headers: dict[str, Any]) -> aio_pika.Message:
    """`raw` again (body, id, content type, time) with new headers: a retry or requeued copy."""
    return build_message(
        raw.body,
        raw.message_id,
        headers,
        content_type=raw.content_type,
        timestamp=raw.timestamp,
    )


class EventPublisher:
    """Publishes to the topic exchange (or a queue by name) and waits for the broker's confirm.

    Each publish runs in a `publish <routing key>` span whose context the message carries in its
    headers, and is counted by outcome (`messages_published_total`).
    """

    def __init__(
        self,
        broker: BrokerConnection,
        confirm_timeout_s: float = 5.0,
        tracer: Tracer | None = None,
    ) -> None:
        self._broker = broker
        self._timeout_s = confirm_timeout_s
        self.tracer = tracer or default_tracer()  # the consumers' spans come from it too

    async def publish(
        self,
        routing_key: str,
        body: dict[str, Any],
        message_id: str | None = None,
        headers: dict[str, Any] | None = None,
    ) -> str:
        """Publish an event and return its id; raises UnroutableMessage or BrokerUnavailable."""
        destination = self._broker.exchange_name
        with publish_span(self.tracer, routing_key, destination, order_id_of(body)) as span:
            message = build_message(body, message_id, with_trace_context(headers))
            await self._send(span, message, routing_key, to_queue=False)
        return message.message_id or ""

    async def publish_to_queue(
        self, queue: str, body: dict[str, Any], headers: dict[str, Any] | None = None
    ) -> str:
        """Send straight to a queue by name through the default exchange (scripts, retries)."""
        with publish_span(self.tracer, queue, queue, order_id_of(body)) as span:
            message = build_message(body, headers=with_trace_context(headers))
            await self._send(span, message, queue, to_queue=True)
        return message.message_id or ""

    async def forward(
        self, queue: str, message: aio_pika.Message, order_id: str | None = None
    ) -> None:
        """Send an already built message to a queue by name (retry and dead-letter copies); its
        headers are sent as they are (a copy stays in the trace of the message it copies)."""
        with publish_span(self.tracer, queue, queue, order_id) as span:
            await self._send(span, message, queue, to_queue=True)

    async def _send(
        self, span: Span, message: aio_pika.Message, routing_key: str, to_queue: bool
    ) -> None:
        if message.message_id:
            span.set_attribute(MESSAGE_ID, message.message_id)
        outcome = UNAVAILABLE
        try:
            await self._confirmed(message, routing_key, to_queue)
            outcome = CONFIRMED
        except UnroutableMessage:
            outcome = UNROUTABLE
            raise
        finally:
            span.set_attribute(OUTCOME, outcome)
            count_published(routing_key, outcome)

    async def _confirmed(self, message: aio_pika.Message, routing_key: str, to_queue: bool) -> None:
        exchange = self._broker.channel.default_exchange if to_queue else self._broker.exchange
        if not self._broker.is_connected:  # fail fast instead of waiting for the confirm timeout
            raise BrokerUnavailable(f"could not publish {routing_key!r}: not connected to RabbitMQ")
        try:
            await exchange.publish(
                message, routing_key=routing_key, mandatory=True, timeout=self._timeout_s
            )
        except PublishError:
            logger.warning(
                "Unroutable message {!r} to {!r}", routing_key, exchange.name or "default"
            )
            raise UnroutableMessage(exchange.name, routing_key) from None
        except DeliveryError as error:
            raise BrokerUnavailable(f"broker refused message {routing_key!r}: {error}") from None
        except (AMQPError, ConnectionError, RuntimeError, TimeoutError) as error:
            raise BrokerUnavailable(f"could not publish {routing_key!r}: {error!r}") from None
