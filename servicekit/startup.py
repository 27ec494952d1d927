"""Start-up steps that wait for servers started after us instead of crashing."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from loguru import logger

T = TypeVar("T")


async def retry_until(
    what: str, attempt: Callable[[], Awaitable[T]], timeout_s: float, pause_s: float = 0.5
) -> T:
    """Retry a start-up step until it works or `timeout_s` passed (servers may start after us)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return await attempt()
        except Exception as error:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{what} not reachable after {timeout_s:g} s: {error!r}"
                ) from None
            logger.warning("{} not reachable yet ({!r}), retrying", what, error)
            await asyncio.sleep(pause_s)
