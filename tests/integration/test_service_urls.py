"""Service-URL lookup: MongoDB is the truth, Redis a 24 h cache that may disappear."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from devstack import process
from devstack.parts import Redis as RedisServer
from devstack.stack import Stack
from servicekit.cache import RedisCache, create_redis
from servicekit.health import HealthCheck, run_checks
from servicekit.mongo import MongoEngine
from servicekit.service_urls import KEY_PREFIX, ServiceUrlCache, ServiceUrlNotFound
from servicekit.settings import ServiceSettings
from tests.integration.conftest import free_port

pytestmark = pytest.mark.integration


@pytest.fixture
def private_redis(private_state: Path) -> Iterator[RedisServer]:
    """A Redis of this test's own, so that stopping it disturbs nothing else."""
    server = RedisServer(name="redis-private", port=free_port(), state=private_state)
    stack = Stack([server], quiet=True)
    stack.up()
    yield server
    stack.down()


async def test_lookup_reads_mongodb_when_redis_is_empty_and_caches_for_a_day(
    mongo: MongoEngine, redis: Redis, settings: ServiceSettings
) -> None:
    urls = ServiceUrlCache(mongo.db, RedisCache(redis), ttl_s=settings.service_url_ttl_s)
    await urls.register("KitchenService", "http://127.0.0.1:8004/")
    await redis.delete(KEY_PREFIX + "KitchenService")

    assert await urls.get("KitchenService") == "http://127.0.0.1:8004"
    assert await redis.get(KEY_PREFIX + "KitchenService") == "http://127.0.0.1:8004"
    assert 24 * 3600 - 5 <= await redis.ttl(KEY_PREFIX + "KitchenService") <= 24 * 3600

    # Served from Redis from now on: a different value there wins until it expires.
    await redis.set(KEY_PREFIX + "KitchenService", "http://cached:1")
    assert await urls.get("KitchenService") == "http://cached:1"
    assert await urls.clear_cache(["KitchenService"]) == ["KitchenService"]
    assert await urls.get("KitchenService") == "http://127.0.0.1:8004"


async def test_unknown_service_is_a_clear_error(mongo: MongoEngine, redis: Redis) -> None:
    urls = ServiceUrlCache(mongo.db, RedisCache(redis), ttl_s=60)
    with pytest.raises(ServiceUrlNotFound, match="NoSuchService"):
        await urls.get("NoSuchService")


async def test_lookup_keeps_working_when_redis_is_stopped(
    mongo: MongoEngine, private_redis: RedisServer
) -> None:
    client = create_redis(f"redis://127.0.0.1:{private_redis.port}/0", timeout_s=0.5)
    # A pause longer than the test: the lookups below may be slow on a busy machine.
    cache = RedisCache(client, pause_after_failure_s=3600)
    urls = ServiceUrlCache(mongo.db, cache, ttl_s=60)
    await urls.register("DeliveryService", "http://127.0.0.1:8003")
    assert await urls.get("DeliveryService") == "http://127.0.0.1:8003"
    assert cache.available

    pid = process.read_pid(private_redis.pid_file)
    assert pid is not None
    process.stop(pid)
    assert not private_redis.ready()

    commands: list[tuple] = []
    execute_command = client.execute_command

    async def counted(*args, **options):
        commands.append(args)
        return await execute_command(*args, **options)

    client.execute_command = counted
    for _ in range(20):
        assert await urls.get("DeliveryService") == "http://127.0.0.1:8003"
    assert not cache.available
    # After the first failed attempt Redis is skipped: the other 19 lookups (and the refill of
    # the first) do not wait for a connection attempt.
    assert commands == [("GET", KEY_PREFIX + "DeliveryService")]

    report = await run_checks([HealthCheck("redis", cache.ping, critical=False)], timeout_s=1.0)
    assert report["status"] == "degraded"
    assert report["checks"]["redis"]["status"] == "fail"
    await client.aclose()


async def test_mongo_ping_fails_fast_when_the_server_is_not_there() -> None:
    engine = MongoEngine(f"mongodb://127.0.0.1:{free_port()}", "nothing", timeout_ms=300)
    report = await run_checks([HealthCheck("mongodb", engine.ping)], timeout_s=2.0)
    assert report["status"] == "fail"
    assert report["checks"]["mongodb"]["status"] == "fail"
    await engine.close()


async def test_mongo_ping_passes_on_the_running_server(mongo: MongoEngine) -> None:
    report = await run_checks([HealthCheck("mongodb", mongo.ping)], timeout_s=2.0)
    assert report["status"] == "pass"
    assert list(report["checks"]) == ["mongodb"]
    check = report["checks"]["mongodb"]
    assert (check["status"], check["critical"], "error" in check) == ("pass", True, False)
