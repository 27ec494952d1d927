"""OrderService's business numbers: every status change counted from/to, the life time of an
order that ended, and each cache lookup as a hit, a miss or an error."""

from itertools import pairwise

from prometheus_client import REGISTRY

from OrderService.business.cancel import cancel_order
from OrderService.business.state_machine import OrderStatus
from OrderService.repository.redis_order_cache import RedisOrderCache
from tests.unit.order.test_redis_order_cache import FlakyCache, after_a_lost_write, order
from tests.unit.order.world import World

S = OrderStatus
AFTER_PAYMENT = [S.DRIVER_AVAILABLE, S.COOKING_MEAL, S.COOKING_DONE, S.PICKED_UP, S.IN_TRANSIT]


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def steps(history: list[str]) -> list[tuple[str, str]]:
    return list(pairwise(history))


def transitions(pairs: list[tuple[str, str]]) -> list[float]:
    return [value("order_transitions_total", from_status=a, to_status=b) for a, b in pairs]


def lives(status: S) -> tuple[float, float]:
    labels = {"end_status": status.value}
    return value("order_life_seconds_count", **labels), value("order_life_seconds_sum", **labels)


async def test_each_step_of_an_order_is_counted_once_from_and_to() -> None:
    world = World()
    order_id = await world.placed()
    pairs = steps(["created", "paymentPaid", "deliveryScheduled", "driverAvailable"])
    pairs.append(("driverAvailable", "cookingScheduled"))
    before = transitions(pairs)
    # With a duplicate and a late event in between: they change nothing, so count nothing.
    paid = S.PAYMENT_PAID
    await world.advance(order_id, paid, paid, S.DRIVER_AVAILABLE, paid)
    assert steps(world.history(order_id)) == pairs
    grown = [after - first for first, after in zip(before, transitions(pairs), strict=True)]
    assert grown == [1, 1, 1, 1]


async def test_the_life_time_is_observed_when_the_order_ends_and_only_then() -> None:
    world = World()
    order_id = await world.placed()
    count, total = lives(S.DELIVERED)
    await world.advance(order_id, S.PAYMENT_PAID, *AFTER_PAYMENT)
    assert lives(S.DELIVERED) == (count, total)  # not ended yet
    await world.advance(order_id, S.DELIVERED)
    order = world.order(order_id)
    life_s = (order.history[-1]["at"] - order.created_at).total_seconds()
    assert lives(S.DELIVERED)[0] == count + 1
    assert abs(lives(S.DELIVERED)[1] - (total + life_s)) < 1e-6
    for status in (S.PAYMENT_PAID, S.COOKING_DONE, S.ORDER_CANCELLED, S.IN_TRANSIT):
        assert REGISTRY.get_sample_value("order_life_seconds_count", {"end_status": status}) is None


async def test_a_failed_payment_and_a_reimbursement_end_an_order_too() -> None:
    world = World()
    failed, refunded = await world.placed(), await world.placed()
    before = lives(S.PAYMENT_FAILED)[0], lives(S.REIMBURSED)[0]
    await world.advance(failed, S.PAYMENT_FAILED)
    await world.advance(refunded, S.PAYMENT_PAID)
    await cancel_order(refunded, world.orders)
    await world.advance(refunded, S.REIMBURSED)
    assert (lives(S.PAYMENT_FAILED)[0], lives(S.REIMBURSED)[0]) == (before[0] + 1, before[1] + 1)


async def test_a_change_that_stays_in_its_status_is_no_step() -> None:
    world = World()
    order_id = await world.placed()
    await world.advance(order_id, S.PAYMENT_PAID)
    pair = [("paymentPaid", "deliveryScheduled")]  # the last step in its history
    before = transitions(pair)
    stays = {S.DELIVERY_SCHEDULED}
    assert await world.orders.transition(order_id, stays, S.DELIVERY_SCHEDULED) is not None
    assert transitions(pair) == before


def cache_results() -> list[float]:
    return [value("order_cache_requests_total", result=r) for r in ("hit", "miss", "error")]


def grown(before: list[float]) -> list[float]:
    return [after - first for first, after in zip(before, cache_results(), strict=True)]


async def test_cache_lookups_are_counted_as_hit_miss_or_error() -> None:
    flaky = FlakyCache()
    cache = RedisOrderCache(flaky)  # type: ignore[arg-type]
    await cache.put(order(1))
    before = cache_results()
    assert await cache.get("o1") is not None
    assert await cache.get("o2") is None
    assert grown(before) == [1, 1, 0]
    flaky.down = True
    assert await cache.get("o1") is None
    assert grown(before) == [1, 1, 1]


async def test_a_cached_copy_not_trusted_is_a_miss() -> None:
    _, cache = await after_a_lost_write(S.DELIVERED)
    before = cache_results()
    assert await cache.get("o1") is None
    assert grown(before) == [0, 1, 0]
