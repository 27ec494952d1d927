"""What the operator scripts share: settings, connections with clear errors, output."""

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn

import aio_pika
import ujson
from aio_pika.abc import AbstractRobustConnection

from servicekit.settings import ConfigError, ServiceSettings, load_settings


def fail(message: str, code: int = 1) -> NoReturn:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(code)


def settings() -> ServiceSettings:
    try:
        return load_settings(ServiceSettings, service_name="ops")
    except ConfigError as error:
        fail(str(error), code=2)


async def connect_rabbit(url: str) -> AbstractRobustConnection:
    try:
        return await aio_pika.connect_robust(
            url, timeout=3, client_properties={"connection_name": "ops"}
        )
    except Exception as error:
        fail(
            f"RabbitMQ is not reachable at {_safe(url)} ({error!r}); "
            "is the stack running? (make up)"
        )


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def show(value: Any) -> str:
    if isinstance(value, bytes):
        try:
            return ujson.dumps(ujson.loads(value), indent=2)
        except ValueError:
            return value.decode(errors="replace")
    return ujson.dumps(value, indent=2, default=str)


def run(main: Callable[[], Awaitable[int]]) -> NoReturn:
    try:
        sys.exit(asyncio.run(main()))
    except KeyboardInterrupt:
        sys.exit(130)
