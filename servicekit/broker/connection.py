"""The process's one robust broker connection and the channel used for publishing."""

import time
from collections.abc import Callable, Sequence
from typing import NamedTuple

import aio_pika
from aio_pika.abc import AbstractRobustChannel, AbstractRobustConnection, AbstractRobustExchange
from loguru import logger

from servicekit.broker.errors import BrokerUnavailable, short_reason
from servicekit.broker.failover import FailoverConnection, node_of
from servicekit.settings import url_list


class _Opened(NamedTuple):
    """What connect() opened: the connection, the publishing channel, the exchange."""

    connection: AbstractRobustConnection
    channel: AbstractRobustChannel
    exchange: AbstractRobustExchange


class BrokerConnection:
    """Connects once, reconnects by itself, and declares the shared topic exchange."""

    def __init__(self, url: str | Sequence[str], exchange_name: str, connection_name: str) -> None:
        """`url`: one broker URL, or a cluster's nodes (a sequence or comma-separated): the first
        that answers is used, and after a loss each attempt goes to the next one."""
        self.urls = url_list(url) if isinstance(url, str) else list(url)
        self.url = self.urls[0]
        self.exchange_name = exchange_name
        self._name = connection_name
        self._opened: _Opened | None = None
        self._lost_at: float | None = None  # when the connection was lost, until it is back

    async def connect(self, timeout_s: float = 10.0) -> None:
        connection = await self._first_answering(timeout_s)
        try:
            channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
            exchange = await channel.declare_exchange(
                self.exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
            )
        except BaseException:
            await connection.close()  # or it would keep reconnecting in the background
            raise
        self._opened = _Opened(connection, channel, exchange)
        connection.close_callbacks.add(self._on_lost)
        connection.reconnect_callbacks.add(self._on_back)
        logger.info(
            "Connected to RabbitMQ at {}, exchange {!r}", connection.node, self.exchange_name
        )

    async def _first_answering(self, timeout_s: float) -> FailoverConnection:
        """A connection to the first node that answers, each tried once in order."""
        for first in range(len(self.urls) - 1):
            try:
                return await self._open(first, timeout_s)
            except Exception as error:
                logger.info(
                    "RabbitMQ at {} does not answer ({}); trying the next node",
                    node_of(self.urls[first]),
                    short_reason(error, 200),
                )
        return await self._open(len(self.urls) - 1, timeout_s)

    async def _open(self, first: int, timeout_s: float) -> FailoverConnection:
        connection = FailoverConnection(
            self.urls, first, client_properties={"connection_name": self._name}
        )
        try:
            await connection.connect(timeout=timeout_s)
        except BaseException:
            await connection.close()  # or it would keep trying in the background
            raise
        return connection

    def _on_lost(self, _: object, error: BaseException | None = None) -> None:
        """One warning per loss (aio-pika's own lines about it are kept at DEBUG)."""
        if self._opened is None or self._lost_at is not None or error is None:
            return  # closed by us, or already reported
        self._lost_at = time.monotonic()
        logger.warning(
            "Connection to RabbitMQ lost ({}); reconnecting every 5 s: events wait in the "
            "outbox and unacked messages come back",
            short_reason(error, 200),
        )

    def _on_back(self, connection: object = None, *_: object) -> None:
        down_s = time.monotonic() - self._lost_at if self._lost_at is not None else 0.0
        self._lost_at = None
        node = getattr(connection, "node", "")
        logger.info(
            "Reconnected to RabbitMQ after {:.1f} s{}", down_s, f" at {node}" if node else ""
        )

    def _require_open(self) -> _Opened:
        if self._opened is None:
            raise BrokerUnavailable("not connected to RabbitMQ (connect() was not called)")
        return self._opened

    @property
    def connection(self) -> AbstractRobustConnection:
        return self._require_open().connection

    @property
    def channel(self) -> AbstractRobustChannel:
        return self._require_open().channel

    @property
    def exchange(self) -> AbstractRobustExchange:
        return self._require_open().exchange

    @property
    def is_connected(self) -> bool:
        return (
            self._opened is not None
            and not self._opened.connection.is_closed
            and not self._opened.channel.is_closed
        )

    def on_reconnect(self, callback: Callable[[], None]) -> None:
        """Call `callback` each time the connection is back after a loss."""
        self.connection.reconnect_callbacks.add(lambda *_: callback())

    async def new_channel(self, prefetch_count: int) -> AbstractRobustChannel:
        """A channel for consuming, with its own prefetch window."""
        channel = await self.connection.channel()
        await channel.set_qos(prefetch_count=prefetch_count)
        return channel

    async def close(self) -> None:
        opened, self._opened = self._opened, None  # first: a close of ours is no loss to report
        if opened is not None and not opened.connection.is_closed:
            await opened.connection.close()
