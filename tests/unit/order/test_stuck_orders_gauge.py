"""The `orders_stuck` gauge: set for every status each round (0 included), counted at start
and then every interval, and a round that fails does not stop the worker."""

import asyncio
from datetime import datetime

from prometheus_client import REGISTRY

from OrderService.business.state_machine import OrderStatus
from OrderService.monitoring import StuckOrdersGauge

S = OrderStatus


def stuck(status: S) -> float | None:
    return REGISTRY.get_sample_value("orders_stuck", {"status": status.value})


class Rounds:
    """A stuck-order count answering `answers` in turn (an exception is raised)."""

    def __init__(self, *answers: dict[S, int] | Exception) -> None:
        self.answers = list(answers)
        self.asked: list[datetime] = []
        self.all_asked = asyncio.Event()

    async def __call__(self, now: datetime) -> dict[S, int]:
        self.asked.append(now)
        answer = self.answers[min(len(self.asked), len(self.answers)) - 1]
        if len(self.asked) >= len(self.answers):
            self.all_asked.set()
        if isinstance(answer, Exception):
            raise answer
        return answer


async def test_every_status_is_set_each_round_and_zero_replaces_an_old_count() -> None:
    rounds = Rounds(
        {S.CREATED: 3, S.IN_TRANSIT: 1, S.ORDER_CANCELLED: 0},
        {S.CREATED: 0, S.IN_TRANSIT: 2, S.ORDER_CANCELLED: 0},
    )
    gauge = StuckOrdersGauge(rounds)
    await gauge.measure()
    assert [stuck(s) for s in (S.CREATED, S.IN_TRANSIT, S.ORDER_CANCELLED)] == [3, 1, 0]
    await gauge.measure()
    assert [stuck(s) for s in (S.CREATED, S.IN_TRANSIT, S.ORDER_CANCELLED)] == [0, 2, 0]
    assert rounds.asked[0].tzinfo is not None  # compared with the stored UTC times


async def test_the_worker_counts_at_start_and_goes_on_after_a_failed_round() -> None:
    rounds = Rounds(ConnectionError("MongoDB away"), {S.COOKING_MEAL: 4})
    gauge = StuckOrdersGauge(rounds, interval_s=0.01)
    gauge.start()
    try:
        await asyncio.wait_for(rounds.all_asked.wait(), timeout=5)
        assert gauge.is_running
    finally:
        await gauge.stop()
    assert stuck(S.COOKING_MEAL) == 4
    assert not gauge.is_running
