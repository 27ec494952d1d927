"""What the operator scripts share: settings, clear errors, output."""

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn

import ujson

from servicekit.settings import ConfigError, ServiceSettings, load_settings


def fail(message: str, code: int = 1) -> NoReturn:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(code)


def settings() -> ServiceSettings:
    try:
        return load_settings(ServiceSettings, service_name="ops")
    except ConfigError as error:
        fail(str(error), code=2)


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
