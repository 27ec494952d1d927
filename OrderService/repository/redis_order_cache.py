"""Orders cached in Redis, written on every change; a newer version is never overwritten."""

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import ujson

from OrderService.business.models import Order
from OrderService.business.state_machine import OrderStatus
from servicekit.cache import RedisCache

KEY_PREFIX = "order:"
_FAILED = object()
# A version no order reaches: the put script never replaces it.
_TOMBSTONE = '{"deleted": true, "version": 9007199254740991}'
_TOMBSTONE_TTL_S = 300

# Two updates of one order may finish in either order: keep the cached copy with the higher
# version so that a slow writer never puts an older state back.
_PUT_IF_NEWER = """
local current = redis.call('GET', KEYS[1])
if current then
  local ok, cached = pcall(cjson.decode, current)
  if ok and cached['version'] and tonumber(cached['version']) >= tonumber(ARGV[2]) then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1
"""


def _encode(order: Order) -> str:
    def default(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        raise TypeError(type(value))

    document = {**order.__dict__, "status": order.status.value}
    return ujson.dumps(document, default=default)


def _decode(raw: str) -> Order:
    document = ujson.loads(raw)
    document["status"] = OrderStatus(document["status"])
    for key in ("created_at", "updated_at"):
        document[key] = datetime.fromisoformat(document[key])
    for entry in document["history"]:
        entry["at"] = datetime.fromisoformat(entry["at"])
    return Order(**document)


class RedisOrderCache:
    """Orders whose cache write failed are "suspect": their cached copy may be old, so it is
    not served again until it has been removed (once Redis answers) or has expired. The list
    is bounded: past `max_suspects` (a long Redis outage under load) no cached copy is trusted
    until every copy written before the last failure has expired."""

    def __init__(
        self,
        cache: RedisCache,
        ttl_s: int = 3600,
        max_suspects: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._cache = cache
        self._ttl_s = ttl_s
        self._put_if_newer = cache.redis.register_script(_PUT_IF_NEWER)
        self._max_suspects = max_suspects
        self._clock = clock
        self._suspect: dict[str, float] = {}  # order id -> when a write of it failed
        self._distrust_until = 0.0

    def _mark_suspect(self, order_id: str) -> None:
        now = self._clock()
        if now < self._distrust_until or len(self._suspect) >= self._max_suspects:
            # Every stale copy was written before `now`, so it is gone by now + ttl.
            self._suspect.clear()
            self._distrust_until = max(self._distrust_until, now + self._ttl_s)
        else:
            self._suspect[order_id] = now

    async def get(self, order_id: str) -> Order | None:
        now = self._clock()
        if now < self._distrust_until:
            return None
        failed_at = self._suspect.get(order_id)
        if failed_at is not None and now - failed_at < self._ttl_s:
            if (
                await self._cache.guarded(
                    lambda: self._cache.redis.delete(KEY_PREFIX + order_id), _FAILED
                )
                is not _FAILED
            ):
                self._suspect.pop(order_id, None)
            return None
        self._suspect.pop(order_id, None)  # expired with the copy it was about
        raw = await self._cache.get(KEY_PREFIX + order_id)
        if raw is None or raw == _TOMBSTONE:
            return None
        try:
            return _decode(raw)
        except (ValueError, KeyError, TypeError):
            await self.remove(order_id)  # written by an older version of the code: drop it
            return None

    async def put(self, order: Order) -> None:
        written = await self._cache.guarded(
            lambda: self._put_if_newer(
                keys=[KEY_PREFIX + order.id], args=[_encode(order), order.version, self._ttl_s]
            ),
            _FAILED,
        )
        if written is _FAILED:
            self._mark_suspect(order.id)
        else:
            self._suspect.pop(order.id, None)

    async def remove(self, order_id: str) -> None:
        """Replace the entry by a short-lived tombstone that no late write of an older version
        can overwrite (a GET that read the order just before the delete)."""
        written = await self._cache.guarded(
            lambda: self._cache.redis.set(KEY_PREFIX + order_id, _TOMBSTONE, ex=_TOMBSTONE_TTL_S),
            _FAILED,
        )
        if written is _FAILED:
            self._mark_suspect(order_id)
