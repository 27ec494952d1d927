"""A robust connection over the nodes of a RabbitMQ cluster: after a loss it moves on to the next.

aio-pika's robust connection reconnects to its one URL; this one goes round the list, one node
per attempt: the attempt right after a loss goes to the next node, and while nodes do not answer
the next one is tried every `reconnect_interval` (5 s). Channels, consumers and the exchange are
restored on whichever node answers: every node of a cluster serves every queue.
"""

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from aio_pika import RobustConnection
from aio_pika.connection import make_url


def node_of(url: object) -> str:
    """`host:port` of a broker URL, for log lines (never its credentials)."""
    parts = urlsplit(str(url))
    return f"{parts.hostname}:{parts.port or (5671 if parts.scheme == 'amqps' else 5672)}"


class FailoverConnection(RobustConnection):
    """Connects to `urls[first]`; each later attempt (after a loss, or a failed attempt) to the
    next URL in the list, round and round."""

    def __init__(self, urls: Sequence[str], first: int = 0, **kwargs: Any) -> None:
        super().__init__(make_url(urls[first]), **kwargs)
        self._first = first
        self._attempts = 0
        self._urls = [make_url(url) for url in urls]  # set last: now each attempt picks one

    @property
    def node(self) -> str:
        return node_of(self.url)

    # aio-pika clears `transport` right before each connection attempt (RobustConnection's
    # `__connect_transport`; aio-pika is pinned in requirements.txt) and then connects to
    # `self.url`: the one place to pick the node of the attempt. The rotation is tested in
    # tests/unit/test_broker_failover.py, aio-pika's side of it by tests/e2e/test_rabbit_cluster.py.
    @property
    def transport(self) -> Any:
        return self.__dict__.get("_transport")

    @transport.setter
    def transport(self, value: Any) -> None:
        self.__dict__["_transport"] = value
        urls = self.__dict__.get("_urls")
        if value is None and urls and not self.close_called:
            self.url = urls[(self._first + self._attempts) % len(urls)]
            self._attempts += 1
