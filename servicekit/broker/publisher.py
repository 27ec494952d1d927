"""Publishing with confirms: a message is either taken by a bound queue or the call raises."""

import uuid
from datetime import UTC, datetime
from typing import Any

import aio_pika
import ujson
from aio_pika.abc import AbstractMessage
from aio_pika.exceptions import AMQPError, DeliveryError, PublishError
from loguru import logger

from servicekit.broker.connection import BrokerConnection
from servicekit.broker.errors import BrokerUnavailable, UnroutableMessage


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
    """Publishes to the topic exchange (or a queue by name) and waits for the broker's confirm."""

    def __init__(self, broker: BrokerConnection, confirm_timeout_s: float = 5.0) -> None:
        self._broker = broker
        self._timeout_s = confirm_timeout_s

    async def publish(
        self,
        routing_key: str,
        body: dict[str, Any],
        message_id: str | None = None,
        headers: dict[str, Any] | None = None,
    ) -> str:
        """Publish an event and return its id; raises UnroutableMessage or BrokerUnavailable."""
        message = build_message(body, message_id, headers)
        await self._send(self._broker.exchange, message, routing_key)
        return message.message_id or ""

    async def publish_to_queue(
        self, queue: str, body: dict[str, Any], headers: dict[str, Any] | None = None
    ) -> str:
        """Send straight to a queue by name through the default exchange (scripts, retries)."""
        message = build_message(body, headers=headers)
        await self._send(self._broker.channel.default_exchange, message, queue)
        return message.message_id or ""

    async def forward(self, queue: str, message: aio_pika.Message) -> None:
        """Send an already built message to a queue by name (retry and dead-letter copies)."""
        await self._send(self._broker.channel.default_exchange, message, queue)

    async def _send(self, exchange: Any, message: aio_pika.Message, routing_key: str) -> None:
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
