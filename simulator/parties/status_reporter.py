"""The transport company and the restaurant: status messages on the broker."""

from typing import Any

import aio_pika
from aio_pika.exceptions import AMQPError, PublishError

from servicekit.broker.connection import BrokerConnection
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
    """The transport company and the restaurant: status messages on the broker (one URL, or a
    cluster's nodes comma-separated: after a node is lost it goes on with the next)."""

    def __init__(self, rabbit_url: str, exchange: str) -> None:
        self._broker = BrokerConnection(rabbit_url, exchange, "simulator")

    async def connect(self) -> None:
        await self._broker.connect()

    async def report(self, routing_key: str, body: dict[str, Any] | bytes) -> None:
        """Publish to the topic exchange; `bytes` go as they are (malformed on purpose)."""
        await self._publish(build_message(body), routing_key, to_queue=False)

    async def report_to_queue(self, queue: str, body: dict[str, Any]) -> None:
        """Publish straight to a queue by name (the default exchange), as the test scripts do."""
        await self._publish(build_message(body), queue, to_queue=True)

    async def _publish(self, message: aio_pika.Message, routing_key: str, to_queue: bool) -> None:
        """Publish with a confirm; while the broker is away or refuses it (a restart, a lost
        node), try again for up to BROKER_RIDE_OUT_S. A status sent twice changes nothing; an
        unroutable one raises."""
        poll = Poll(BROKER_RIDE_OUT_S, max_pause_s=1.0)
        while True:
            try:
                # Looked up on each attempt: after a lost node the channel is a new one.
                broker = self._broker
                exchange = broker.channel.default_exchange if to_queue else broker.exchange
                await exchange.publish(message, routing_key=routing_key, timeout=5)
                return
            except PublishError:  # returned: no queue takes it, sending again changes nothing
                raise
            # A nack (DeliveryError) too: a quorum queue whose leader is moving refuses it.
            except (AMQPError, ConnectionError, RuntimeError, TimeoutError):
                if poll.expired:
                    raise
            await poll.wait()

    async def close(self) -> None:
        await self._broker.close()
