"""The `orders_stuck` gauge: a background worker that counts the stuck orders now and then."""

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime

from OrderService.business.state_machine import OrderStatus
from OrderService.repository.order_metrics import STUCK
from servicekit.periodic import Periodic

CountStuck = Callable[[datetime], Awaitable[Mapping[OrderStatus, int]]]


class StuckOrdersGauge(Periodic):
    """Sets `orders_stuck{status}` for every status `count` answers (0 included), at start and
    every `interval_s`; a round that fails leaves the last numbers and is tried again."""

    name = "stuck-orders"

    def __init__(
        self, count: CountStuck, interval_s: float = 15.0
    ) -> None:  # e.g. StuckOrders.count
        super().__init__(self.measure, interval_s, "Counting stuck orders failed", self.name)
        self.count = count

    async def measure(self) -> Mapping[OrderStatus, int]:
        counts = await self.count(datetime.now(UTC))
        for status, stuck in counts.items():
            STUCK.labels(status.value).set(stuck)
        return counts
