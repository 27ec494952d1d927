"""The order cache's put-if-newer Lua script on the real Redis (the unit tests run a Python copy):
a newer version replaces an older one, an older never replaces a newer, a stale marker hides an
older copy until the version it carries is written, and a tombstone stays until it expires."""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
import ujson
from redis.asyncio import Redis

from OrderService.business.models import Order
from OrderService.business.state_machine import OrderStatus
from OrderService.repository.redis_order_cache import KEY_PREFIX, RedisOrderCache
from servicekit.cache import RedisCache, create_redis
from tests.integration.services import TEST_REDIS_URL

pytestmark = pytest.mark.integration

T = TypeVar("T")
S = OrderStatus
TTL_S = 120


class OutageCache(RedisCache):
    """The real Redis, with an outage switched on and off by the test (`down`)."""

    down = False

    async def guarded(self, call: Callable[[], Awaitable[T]], fallback: T) -> T:
        return fallback if self.down else await super().guarded(call, fallback)


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    """The tests' own Redis db (not the developer's db 0)."""
    client = create_redis(TEST_REDIS_URL, 2.0)
    yield client
    await client.aclose()


@pytest.fixture
async def order_id(redis: Redis) -> AsyncIterator[str]:
    """An order id of the test's own; its cache key is removed after the test."""
    order_id = f"cache-test-{uuid.uuid4().hex}"
    yield order_id
    await redis.delete(KEY_PREFIX + order_id)


def instance(redis: Redis) -> tuple[OutageCache, RedisOrderCache]:
    """One service instance's order cache on the shared Redis."""
    cache = OutageCache(redis)
    return cache, RedisOrderCache(cache, ttl_s=TTL_S)


async def put_lost(outage: OutageCache, cache: RedisOrderCache, lost: Order) -> None:
    """This instance writes `lost` while Redis is unreachable; then Redis answers again."""
    outage.down = True
    await cache.put(lost)
    outage.down = False


def order(order_id: str, version: int, status: OrderStatus) -> Order:
    now = datetime.now(UTC)
    history = [{"status": status.value, "at": now}]
    return Order(order_id, "c1", [], status, now, now, history, version)


async def stored(redis: Redis, order_id: str) -> dict[str, Any]:
    """What Redis holds for the order right now, decoded."""
    raw = await redis.get(KEY_PREFIX + order_id)
    assert raw is not None, f"nothing cached for {order_id}"
    return ujson.loads(raw)


async def test_a_newer_version_replaces_an_older_one_with_the_ttl(redis, order_id) -> None:
    _, cache = instance(redis)
    await cache.put(order(order_id, 1, S.CREATED))
    await cache.put(order(order_id, 2, S.PAYMENT_PAID))
    assert (await stored(redis, order_id))["version"] == 2
    assert (await cache.get(order_id)).status == S.PAYMENT_PAID
    assert 0 < await redis.ttl(KEY_PREFIX + order_id) <= TTL_S


async def test_an_older_version_never_replaces_a_newer_one(redis, order_id) -> None:
    _, cache = instance(redis)
    await cache.put(order(order_id, 3, S.DELIVERY_SCHEDULED))
    await cache.put(order(order_id, 2, S.PAYMENT_PAID))  # a slow writer finishing last
    await cache.put(order(order_id, 1, S.CREATED))
    assert (await stored(redis, order_id))["status"] == S.DELIVERY_SCHEDULED.value
    assert (await cache.get(order_id)).version == 3


async def test_a_stale_marker_hides_an_older_copy_until_its_version_is_written(
    redis, order_id
) -> None:
    outage, cache = instance(redis)
    _, other_instance = instance(redis)
    await cache.put(order(order_id, 2, S.PAYMENT_PAID))
    await put_lost(outage, cache, order(order_id, 3, S.DELIVERY_SCHEDULED))  # Redis keeps v2

    assert await cache.get(order_id) is None  # Redis answers: the marker is written, a miss
    assert await stored(redis, order_id) == {"stale": True, "version": 2.5}
    assert await other_instance.get(order_id) is None  # a miss for every instance
    await other_instance.put(order(order_id, 2, S.PAYMENT_PAID))  # a late older write
    assert await stored(redis, order_id) == {"stale": True, "version": 2.5}
    assert await other_instance.get(order_id) is None

    await other_instance.put(order(order_id, 3, S.DELIVERY_SCHEDULED))  # the lost version
    assert (await other_instance.get(order_id)).status == S.DELIVERY_SCHEDULED
    assert (await cache.get(order_id)).version == 3


async def test_a_stale_marker_never_covers_a_newer_copy(redis, order_id) -> None:
    outage, cache = instance(redis)
    _, other_instance = instance(redis)
    await cache.put(order(order_id, 1, S.CREATED))
    await put_lost(outage, cache, order(order_id, 2, S.PAYMENT_PAID))  # lost by this one ...
    await other_instance.put(order(order_id, 3, S.DELIVERY_SCHEDULED))  # ... another wrote on

    assert await cache.get(order_id) is None  # the marker for version 2 is tried now
    assert (await stored(redis, order_id))["version"] == 3
    assert (await other_instance.get(order_id)).status == S.DELIVERY_SCHEDULED


async def test_a_tombstone_is_never_replaced_by_a_late_write_nor_by_a_marker(
    redis, order_id
) -> None:
    outage, cache = instance(redis)
    _, other_instance = instance(redis)
    await cache.put(order(order_id, 1, S.CREATED))
    await put_lost(outage, cache, order(order_id, 2, S.PAYMENT_PAID))  # this write is lost
    await other_instance.remove(order_id)  # the order is deleted meanwhile
    tombstone = await stored(redis, order_id)
    assert tombstone["deleted"] is True
    assert 0 < await redis.ttl(KEY_PREFIX + order_id) <= 300

    assert await cache.get(order_id) is None  # the marker is tried over the tombstone ...
    assert await stored(redis, order_id) == tombstone  # ... and the tombstone stays
    await other_instance.put(order(order_id, 1, S.CREATED))  # a GET that read before the delete
    await other_instance.put(order(order_id, 10**9, S.DELIVERED))  # any version an order reaches
    assert await stored(redis, order_id) == tombstone
    assert await other_instance.get(order_id) is None
