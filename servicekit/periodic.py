"""A step run now and then in a task of its own, beside the requests (sweeps, gauges)."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from loguru import logger


@dataclass(eq=False)
class Periodic:
    """Runs `step` at start and then every `interval_s`; a step that fails is logged as
    "<failure>: <error>" and tried again next time (the loop itself never dies)."""

    step: Callable[[], Awaitable[object]]
    interval_s: float
    failure: str
    task_name: str = "periodic"
    failure_level: str = "WARNING"  # DEBUG where another part already reports the cause
    _task: asyncio.Task[None] | None = field(default=None, init=False)

    @property
    def is_running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.task_name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            try:
                await self.step()
            except Exception as error:
                logger.log(self.failure_level, "{}: {!r}", self.failure, error)
            await asyncio.sleep(self.interval_s)
