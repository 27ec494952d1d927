"""The order cache never serves an order older than the last change it failed to write, and a
deleted order does not come back through a late write."""

from datetime import UTC, datetime
from typing import Any

import ujson

from OrderService.business.models import Order
from OrderService.business.state_machine import OrderStatus
from OrderService.repository.redis_order_cache import RedisOrderCache


class FakeRedis:
    """Just enough of redis-py: GET/SET/DELETE and the put-if-newer script, in Python."""

    def __init__(self) -> None:
        self.data: dict[str, str] = {}

    def register_script(self, _source: str):
        def write_if_newer(key: str, value: str, version: float) -> int:
            current = self.data.get(key)
            if current and ujson.loads(current)["version"] >= version:  # as the Lua script
                return 0
            self.data[key] = value
            return 1

        async def put_if_newer(keys: list[str], args: list[Any], client=None) -> int:
            if isinstance(client, FakePipeline):
                client.queued.append(lambda: write_if_newer(keys[0], args[0], float(args[1])))
                return 0
            return write_if_newer(keys[0], args[0], float(args[1]))

        return put_if_newer

    async def get(self, key: str) -> str | None:
        return self.data.get(key)

    async def set(self, key: str, value: str, ex: int) -> None:
        self.data[key] = value

    async def delete(self, *keys: str) -> int:
        return sum(self.data.pop(key, None) is not None for key in keys)

    def pipeline(self, transaction: bool = True) -> "FakePipeline":
        return FakePipeline(self)


class FakePipeline:
    def __init__(self, redis: FakeRedis) -> None:
        self.redis = redis
        self.queued: list[Any] = []

    async def __aenter__(self) -> "FakePipeline":
        return self

    async def __aexit__(self, *_: object) -> None:
        pass

    async def execute(self) -> None:
        for write in self.queued:
            write()


class FlakyCache:
    """RedisCache's contract: `guarded` answers the fallback while Redis is down."""

    def __init__(self) -> None:
        self.redis = FakeRedis()
        self.down = False

    async def guarded(self, call, fallback):
        return fallback if self.down else await call()

    async def get(self, key: str, fallback: Any = None) -> Any:
        return await self.guarded(lambda: self.redis.get(key), fallback)

    async def delete(self, *keys: str) -> None:
        await self.guarded(lambda: self.redis.delete(*keys), None)


def order(version: int, status: OrderStatus = OrderStatus.CREATED, order_id: str = "o1") -> Order:
    now = datetime.now(UTC)
    history = [{"status": status.value, "at": now}]
    return Order(order_id, "c1", [], status, now, now, history, version)


async def after_a_lost_write(
    lost: OrderStatus, **options: Any
) -> tuple["FlakyCache", RedisOrderCache]:
    """Version 1 cached, the write of version 2 lost while Redis was down, and Redis back."""
    flaky = FlakyCache()
    cache = RedisOrderCache(flaky, **options)  # type: ignore[arg-type]
    await cache.put(order(1))
    flaky.down = True
    await cache.put(order(2, lost))  # lost: Redis still holds version 1
    flaky.down = False
    return flaky, cache


async def test_a_newer_version_is_never_replaced_by_an_older_one() -> None:
    cache = RedisOrderCache(FlakyCache())  # type: ignore[arg-type]
    await cache.put(order(2, OrderStatus.PAYMENT_PAID))
    await cache.put(order(1))
    assert (await cache.get("o1")).status == OrderStatus.PAYMENT_PAID


async def test_after_a_failed_write_the_old_copy_is_not_served() -> None:
    flaky, cache = await after_a_lost_write(OrderStatus.DELIVERED)
    assert await cache.get("o1") is None  # read from MongoDB instead
    assert await RedisOrderCache(flaky).get("o1") is None  # nor by another instance
    await cache.put(order(1))  # a GET that read MongoDB before the change writes late
    assert await cache.get("o1") is None
    await cache.put(order(2, OrderStatus.DELIVERED))
    assert (await cache.get("o1")).status == OrderStatus.DELIVERED


async def test_a_late_older_write_after_the_outage_does_not_clear_the_suspicion() -> None:
    flaky, cache = await after_a_lost_write(OrderStatus.PAYMENT_PAID)
    await cache.put(order(1))  # the first write after the outage is an older version
    assert await cache.get("o1") is None
    assert await RedisOrderCache(flaky).get("o1") is None


async def test_a_deleted_order_does_not_come_back_through_a_late_write() -> None:
    cache = RedisOrderCache(FlakyCache())  # type: ignore[arg-type]
    await cache.put(order(1))
    await cache.remove("o1")
    await cache.put(order(1))  # a GET that read MongoDB just before the delete
    assert await cache.get("o1") is None


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_suspect_is_forgotten_when_the_copy_it_was_about_has_expired() -> None:
    clock = Clock()
    flaky, cache = await after_a_lost_write(OrderStatus.DELIVERED, ttl_s=60, clock=clock)
    clock.now += 61  # the version 1 copy has expired in Redis by now ...
    del flaky.redis.data["order:o1"]
    other_instance = RedisOrderCache(flaky)  # type: ignore[arg-type]
    await other_instance.put(order(3, OrderStatus.DELIVERED))  # ... and a fresh one was written
    assert (await cache.get("o1")).version == 3
    assert cache._suspect == {}


async def test_a_long_outage_bounds_the_suspects_and_trusts_no_copy_until_they_expired() -> None:
    flaky, clock = FlakyCache(), Clock()
    cache = RedisOrderCache(flaky, ttl_s=60, max_suspects=3, clock=clock)  # type: ignore[arg-type]
    for number in range(5):
        await cache.put(order(1, order_id=f"o{number}"))
    flaky.down = True
    for number in range(5):  # more failed writes than the list holds
        await cache.put(order(2, OrderStatus.PAYMENT_PAID, order_id=f"o{number}"))
    flaky.down = False
    assert len(cache._suspect) <= 3
    for number in range(5):
        assert await cache.get(f"o{number}") is None  # every stale copy is kept from readers
    await cache.put(order(3, OrderStatus.DELIVERED, order_id="o1"))  # writes go on...
    assert await cache.get("o1") is None  # ... reads wait
    clock.now += 61 + 60  # every stale copy has expired (and a late write landed by then)
    for number in (0, 2, 3, 4):
        del flaky.redis.data[f"order:o{number}"]
    assert (await cache.get("o1")).version == 3


async def test_the_stale_marker_never_covers_a_newer_copy_or_a_tombstone() -> None:
    flaky, cache = await after_a_lost_write(OrderStatus.PAYMENT_PAID)
    other_instance = RedisOrderCache(flaky)  # type: ignore[arg-type]
    await other_instance.put(order(3, OrderStatus.DRIVER_AVAILABLE))  # before our marker
    await cache.put(order(1, order_id="o2"))  # Redis answers again: the marker is written now
    assert (await other_instance.get("o1")).version == 3
    await cache.put(order(2, OrderStatus.PAYMENT_PAID))  # a late write of an older version
    assert (await other_instance.get("o1")).version == 3
