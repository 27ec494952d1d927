"""RabbitMQ for the operator scripts: a channel, queues that must exist, publishing, each
failing with a clear message instead of a traceback."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractExchange, AbstractQueue
from aio_pika.exceptions import PublishError

from ops.common import fail
from servicekit.settings import url_list


@asynccontextmanager
async def rabbit_channel(url: str) -> AsyncIterator[AbstractChannel]:
    """A confirming channel on its own connection, closed on the way out. `url`: one broker,
    or a cluster's nodes comma-separated (the first that answers is used)."""
    connection = await _first_answering(url_list(url))
    try:
        yield await connection.channel(publisher_confirms=True, on_return_raises=True)
    finally:
        await connection.close()


async def _first_answering(urls: list[str]) -> AbstractConnection:
    errors = []
    for url in urls:
        try:
            return await aio_pika.connect(
                url, timeout=3, client_properties={"connection_name": "ops"}
            )
        except Exception as error:
            errors.append(f"{_safe(url)} ({error!r})")
    fail(f"RabbitMQ is not reachable at {', '.join(errors)}; is the stack running? (make up)")


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


async def existing_queue(channel: AbstractChannel, name: str, missing: str) -> AbstractQueue:
    """The queue named `name`, never declared anew; fails with `missing` when there is none."""
    try:
        return await channel.declare_queue(name, passive=True)
    except Exception:
        fail(missing)


async def publish(
    target: AbstractExchange, message: aio_pika.Message, routing_key: str, unroutable: str
) -> None:
    """Publish and wait for the confirm; fails with `unroutable` when no queue takes it."""
    try:
        await target.publish(message, routing_key=routing_key)
    except PublishError:
        fail(unroutable)
    except Exception as error:
        fail(f"could not publish {routing_key!r}: {error!r}")
