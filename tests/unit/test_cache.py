"""RedisCache degrades to misses while Redis is down and skips it for a pause after a failure."""

from redis.exceptions import ConnectionError as RedisConnectionError

from servicekit.cache import RedisCache


class FlakyRedis:
    def __init__(self) -> None:
        self.down = False
        self.calls = 0
        self.data: dict[str, str] = {}

    async def get(self, key: str) -> str | None:
        self.calls += 1
        if self.down:
            raise RedisConnectionError("connection refused")
        return self.data.get(key)

    async def set(self, key: str, value: str, ex: int) -> None:
        self.calls += 1
        if self.down:
            raise RedisConnectionError("connection refused")
        self.data[key] = value


async def test_outage_is_a_miss_and_redis_is_skipped_during_the_pause() -> None:
    redis = FlakyRedis()
    cache = RedisCache(redis, pause_after_failure_s=60)  # type: ignore[arg-type]
    await cache.set("k", "v", 10)
    assert await cache.get("k") == "v"

    redis.down = True
    assert await cache.get("k") is None
    assert not cache.available
    calls = redis.calls
    assert await cache.get("k") is None
    await cache.set("k", "w", 10)
    assert redis.calls == calls  # not even tried during the pause


async def test_cache_is_used_again_after_the_pause() -> None:
    redis = FlakyRedis()
    cache = RedisCache(redis, pause_after_failure_s=0)  # type: ignore[arg-type]
    redis.down = True
    assert await cache.get("k") is None
    redis.down = False
    await cache.set("k", "v", 10)
    assert await cache.get("k") == "v"
    assert cache.available
