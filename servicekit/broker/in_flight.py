"""The messages a consumer is handling: each runs to its end, and shutdown can wait for them."""

import asyncio
from collections.abc import Coroutine
from typing import Any


class InFlight:
    """Counts the work started and not finished yet; `idle` is set while there is none."""

    def __init__(self, gauge: Any) -> None:
        self.count = 0
        self._gauge = gauge  # a Prometheus gauge following `count`
        self.idle = asyncio.Event()
        self.idle.set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` in a task of its own and wait for it; cancelling the caller (aiormq does,
        when the channel closes) does not cut the work short."""
        self.count += 1  # counted from now: stop() waits even for work not started yet
        self.idle.clear()
        self._gauge.inc()
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        await asyncio.shield(task)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self.count -= 1
        self._gauge.dec()
        if self.count == 0:
            self.idle.set()
