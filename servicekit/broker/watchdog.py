"""Keeps a queue from being left without its consumer while the connection is up."""

import asyncio
import contextlib
from dataclasses import dataclass, field

from loguru import logger

from servicekit.broker.subscription import Subscription


@dataclass(eq=False)
class SubscriptionWatchdog:
    """Checks every `check_interval_s` that the subscription is there while the connection is
    up; missing on two checks in a row, it is replaced on a new channel.

    aio-pika's robust connection re-opens the channel and re-subscribes after a reconnect, but a
    subscription can still go missing (a restore that failed half-way, a consumer cancelled by
    the broker).
    """

    subscription: Subscription
    check_interval_s: float
    resubscribing: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)
    _task: asyncio.Task[None] | None = field(default=None, init=False)

    def start(self) -> None:
        self._task = asyncio.create_task(
            self._watch(), name=f"consumer-watchdog:{self.subscription.queue.name}"
        )

    async def stop(self) -> None:
        """Stop watching; a replacement under way is finished first, never cut."""
        if self._task is None:
            return
        task, self._task = self._task, None
        async with self.resubscribing:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _watch(self) -> None:
        subscription = self.subscription
        missing_before = False
        while True:
            # After a miss, look again soon: aio-pika's restore is usually done within a second.
            await asyncio.sleep(
                min(1.0, self.check_interval_s) if missing_before else self.check_interval_s
            )
            if not subscription.broker.is_connected:
                missing_before = False  # aio-pika is reconnecting; judge once it is back
                continue
            try:
                if await subscription.check():
                    missing_before = False
                elif not missing_before:
                    missing_before = True  # give aio-pika's own restore a moment
                else:
                    missing_before = False
                    async with self.resubscribing:  # stop() waits for it, never cuts it
                        if self._task is not None:
                            await subscription.replace()
            except Exception as error:  # the watchdog itself must never die
                logger.opt(exception=error).error(
                    "Consumer watchdog of {!r}", subscription.queue.name
                )
