"""The transport company and the restaurant: status messages on the broker."""

from typing import Any

import aio_pika
from aio_pika.exceptions import AMQPError, DeliveryError, PublishError

from servicekit.broker.publisher import build_message
from servicekit.contracts import OUTSIDE_REPORTS, status_body
from simulator.parties.calls import BROKER_RIDE_OUT_S, Poll

# What the transport company and the restaurant report after a driver is found, in order.
AFTER_DRIVER = [
    (key, status) for status, key in OUTSIDE_REPORTS.items() if status != "driverAvailable"
]


def status_message(status: str, order_id: str, customer_id: str, **extra: Any) -> dict[str, Any]:
    """A status report for OrderService about one order."""
    return status_body(status, "OrderService", order_id, customer_id, **extra)


class StatusReporter:
    """The transport company and the restaurant: status messages on the broker."""

    def __init__(self, rabbit_url: str, exchange: str) -> None:
        self.rabbit_url = rabbit_url
        self.exchange_name = exchange
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None
        self._exchange: aio_pika.abc.AbstractExchange | None = None
        self._channel: aio_pika.abc.AbstractChannel | None = None

    async def connect(self) -> None:
        self._connection = await aio_pika.connect_robust(self.rabbit_url)
        self._channel = await self._connection.channel(on_return_raises=True)
        self._exchange = await self._channel.declare_exchange(
            self.exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
        )

    async def report(self, routing_key: str, body: dict[str, Any] | bytes) -> None:
        """Publish to the topic exchange; `bytes` go as they are (malformed on purpose)."""
        assert self._exchange is not None, "connect() first"
        await self._publish(self._exchange, build_message(body), routing_key)

    async def report_to_queue(self, queue: str, body: dict[str, Any]) -> None:
        """Publish straight to a queue by name (the default exchange), as the test scripts do."""
        assert self._channel is not None, "connect() first"
        await self._publish(self._channel.default_exchange, build_message(body), queue)

    async def _publish(self, exchange: Any, message: aio_pika.Message, routing_key: str) -> None:
        """Publish with a confirm; while the broker is away (a restart), try again for up to
        BROKER_RIDE_OUT_S. A status sent twice changes nothing; an unroutable one raises."""
        poll = Poll(BROKER_RIDE_OUT_S, max_pause_s=1.0)
        while True:
            try:
                await exchange.publish(message, routing_key=routing_key, timeout=5)
                return
            except (PublishError, DeliveryError):
                raise
            except (AMQPError, ConnectionError, RuntimeError, TimeoutError):
                if poll.expired:
                    raise
            await poll.wait()

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
