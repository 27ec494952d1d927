"""Redis: one connection pool per process, used as a cache that may be down at any time.

A cache outage never fails a request: `RedisCache` answers "miss" and drops writes while Redis is
unreachable, logs the outage once, and skips Redis for a short pause so that every request does
not wait for a connection attempt.

A Redis that restarted may come back with copies older than what was written to it before it
stopped (a snapshot or log from before its last writes) and miss every change made while it was
down: nothing cached before a restart is trusted. Each new connection first checks which Redis
process it reached (its run_id, new at every start) against the one the cache was filled under;
on a new process the cache's database is emptied, atomically and before that connection serves
anything. The database of REDIS_URL therefore holds our caches only.
"""

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from loguru import logger
from redis.asyncio import Redis
from redis.asyncio.connection import AbstractConnection
from redis.exceptions import RedisError

T = TypeVar("T")

SERVER_KEY = "cache:server"  # the run_id of the Redis process the cache was filled under
# One round trip per new connection; INFO and FLUSHDB inside the script make check and emptying
# one atomic step (FLUSHDB ASYNC: the keys are gone at once, their memory freed in the background).
_FORGET_OLDER_SERVER = """
local run_id = string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
if redis.call('GET', KEYS[1]) == run_id then
  return -1
end
local dropped = redis.call('DBSIZE')
redis.call('FLUSHDB', 'ASYNC')
redis.call('SET', KEYS[1], run_id)
return dropped
"""


def create_redis(url: str, timeout_s: float) -> Redis:
    """The process's Redis client; its pool is shared by every caller."""
    return Redis.from_url(
        url,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
        health_check_interval=30,
        max_connections=64,
        decode_responses=True,
        redis_connect_func=forget_older_server,
    )


async def forget_older_server(connection: AbstractConnection) -> None:
    """Set up a new connection, then empty the cache if it was filled under another Redis
    process (one that has since restarted, maybe from older data)."""
    await connection.on_connect()
    await connection.send_command("EVAL", _FORGET_OLDER_SERVER, 1, SERVER_KEY)
    dropped = await connection.read_response()
    if dropped > 0:
        logger.warning("Redis is a new server process: {} key(s) cached before dropped", dropped)


class RedisCache:
    """Cache operations that degrade to a miss while Redis is unreachable."""

    def __init__(self, redis: Redis, pause_after_failure_s: float = 2.0) -> None:
        self.redis = redis
        self._pause_s = pause_after_failure_s
        self._skip_until = 0.0
        self._down = False

    @property
    def available(self) -> bool:
        """False while the last attempt failed and the pause has not elapsed."""
        return not self._down

    async def get(self, key: str, fallback: T | None = None) -> str | T | None:
        """The cached value, None for a miss, `fallback` when Redis failed."""
        return await self.guarded(lambda: self.redis.get(key), fallback)

    async def set(self, key: str, value: str, ttl_s: int) -> None:
        await self.guarded(lambda: self.redis.set(key, value, ex=ttl_s), None)

    async def delete(self, *keys: str) -> None:
        await self.guarded(lambda: self.redis.delete(*keys), None)

    async def ping(self) -> None:
        """Raises when Redis does not answer (for health checks; never guarded)."""
        await self.redis.ping()
        self._mark_up()

    async def guarded(self, call: Callable[[], Awaitable[T]], fallback: T) -> T:
        """Run a Redis call; `fallback` when Redis is down (or was a moment ago)."""
        if self._down and time.monotonic() < self._skip_until:
            return fallback
        try:
            result = await call()
        except (RedisError, OSError) as error:
            self._mark_down(error)
            return fallback
        self._mark_up()
        return result

    def _mark_down(self, error: BaseException) -> None:
        if not self._down:
            logger.warning("Redis unavailable, working from MongoDB only: {}", error)
        self._down = True
        self._skip_until = time.monotonic() + self._pause_s

    def _mark_up(self) -> None:
        if self._down:
            logger.info("Redis is back, cache in use again")
        self._down = False
