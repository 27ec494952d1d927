"""A service's queues: the work queue bound to its keys, retry delay queues, a dead-letter queue.

Retries wait in `<queue>.retry.<ms>` queues whose messages expire back into the work queue, so a
failing message never blocks the queue, survives a restart, and holds no prefetch slot while it
waits. After the last retry, or at once when it is malformed, it goes to `<queue>.dead` with the
reason in its headers.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from aio_pika.abc import AbstractChannel, AbstractQueue

from servicekit.broker.connection import BrokerConnection


@dataclass(frozen=True)
class ServiceQueue:
    """The one durable queue a service's instances share, and the routing keys it consumes."""

    name: str
    binding_keys: Sequence[str]
    retry_delays_ms: Sequence[int] = field(default=(250, 1000, 5000, 30000))
    queue_type: str = "classic"

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.name}.dead"

    def retry_queue(self, attempt: int) -> str:
        """The delay queue for the given retry (0-based)."""
        return f"{self.name}.retry.{self.retry_delays_ms[attempt]}"

    @property
    def max_retries(self) -> int:
        return len(self.retry_delays_ms)

    def _arguments(self) -> dict[str, object]:
        return {"x-queue-type": self.queue_type}

    def _retry_arguments(self, delay_ms: int) -> dict[str, object]:
        """A delay queue: its messages expire back into the work queue. A quorum queue hands
        them over at least once (the default, at most once, drops a message the work queue
        cannot take at that moment, e.g. while its leader moves to another node)."""
        arguments = {
            **self._arguments(),
            "x-message-ttl": delay_ms,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": self.name,
        }
        if self.queue_type == "quorum":
            arguments |= {"x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish"}
        return arguments

    async def declare(self, broker: BrokerConnection, channel: AbstractChannel) -> AbstractQueue:
        """Declare every queue of the service and bind the work queue; returns the work queue."""
        queue = await channel.declare_queue(self.name, durable=True, arguments=self._arguments())
        for key in self.binding_keys:
            await queue.bind(broker.exchange_name, routing_key=key)
        await channel.declare_queue(
            self.dead_letter_queue, durable=True, arguments=self._arguments()
        )
        for delay_ms in sorted(set(self.retry_delays_ms)):
            await channel.declare_queue(
                f"{self.name}.retry.{delay_ms}",
                durable=True,
                arguments=self._retry_arguments(delay_ms),
            )
        return queue
