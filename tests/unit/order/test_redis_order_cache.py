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
        async def put_if_newer(keys: list[str], args: list[Any]) -> int:
            current = self.data.get(keys[0])
            if current and ujson.loads(current)["version"] >= int(args[1]):
                return 0
            self.data[keys[0]] = args[0]
            return 1

        return put_if_newer

    async def get(self, key: str) -> str | None:
        return self.data.get(key)

    async def set(self, key: str, value: str, ex: int) -> None:
        self.data[key] = value

    async def delete(self, *keys: str) -> int:
        return sum(self.data.pop(key, None) is not None for key in keys)


class FlakyCache:
    """RedisCache's contract: `guarded` answers the fallback while Redis is down."""

    def __init__(self) -> None:
        self.redis = FakeRedis()
        self.down = False

    async def guarded(self, call, fallback):
        return fallback if self.down else await call()

    async def get(self, key: str) -> str | None:
        return await self.guarded(lambda: self.redis.get(key), None)

    async def delete(self, *keys: str) -> None:
        await self.guarded(lambda: self.redis.delete(*keys), None)


def order(version: int, status: OrderStatus = OrderStatus.CREATED) -> Order:
    now = datetime.now(UTC)
    return Order("o1", "c1", [], status, now, now, [{"status": status.value, "at": now}], version)


async def test_a_newer_version_is_never_replaced_by_an_older_one() -> None:
    cache = RedisOrderCache(FlakyCache())  # type: ignore[arg-type]
    await cache.put(order(2, OrderStatus.PAYMENT_PAID))
    await cache.put(order(1))
    assert (await cache.get("o1")).status == OrderStatus.PAYMENT_PAID


async def test_after_a_failed_write_the_old_copy_is_not_served() -> None:
    flaky = FlakyCache()
    cache = RedisOrderCache(flaky)  # type: ignore[arg-type]
    await cache.put(order(1))
    flaky.down = True
    await cache.put(order(2, OrderStatus.DELIVERED))  # lost: Redis still holds version 1
    flaky.down = False
    assert await cache.get("o1") is None  # read from MongoDB instead
    assert "order:o1" not in flaky.redis.data
    await cache.put(order(2, OrderStatus.DELIVERED))
    assert (await cache.get("o1")).status == OrderStatus.DELIVERED


async def test_a_deleted_order_does_not_come_back_through_a_late_write() -> None:
    cache = RedisOrderCache(FlakyCache())  # type: ignore[arg-type]
    await cache.put(order(1))
    await cache.remove("o1")
    await cache.put(order(1))  # a GET that read MongoDB just before the delete
    assert await cache.get("o1") is None
