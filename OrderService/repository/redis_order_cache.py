"""Orders cached in Redis, written on every change; a newer version is never overwritten."""

import time
from collections.abc import Callable
from dataclasses import dataclass

from loguru import logger

from OrderService.business.models import Order
from OrderService.repository.order_cache_format import decode, encode
from OrderService.repository.order_metrics import ERROR, HIT, MISS, count_cache_request
from servicekit.cache import RedisCache

KEY_PREFIX = "order:"
_FAILED = object()
# A version no order reaches: the put script never replaces it.
_DELETED_VERSION = 9007199254740991
_TOMBSTONE = f'{{"deleted": true, "version": {_DELETED_VERSION}}}'
_TOMBSTONE_TTL_S = 300
# Over a copy that may be older than version N: a miss for readers, and the put script takes
# it for version N - 0.5, so version N and later replace it and nothing older does.
_STALE_PREFIX = '{"stale":true'
# A write still on its way when this instance stops trusting the cache lands a little later.
_IN_FLIGHT_MARGIN_S = 60


def _stale_marker(version: int) -> str:
    return f'{_STALE_PREFIX},"version":{version - 0.5}}}'


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


@dataclass
class _Suspect:
    version: int  # the newest version of the order whose cache write failed
    since: float  # when an older copy was last (maybe) written: it is gone `ttl_s` later


class RedisOrderCache:
    """Orders in Redis, newest version first.

    A write that fails leaves the order "suspect": Redis may still hold an older copy, so the
    order is read from MongoDB instead. As soon as Redis answers again, the copy of every
    suspect is replaced by a stale marker carrying the failed version: readers take it for a
    miss (for every instance, not just this one), and the put script lets nothing older than
    that version overwrite it (a late write from a GET that read MongoDB before the change).
    The list is bounded: past `max_suspects` (a long Redis outage under load) this instance
    reads no cached order until the copies written before its last failed write have expired.
    """

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
        self._suspect: dict[str, _Suspect] = {}
        self._distrust_until = 0.0

    async def get(self, order_id: str) -> Order | None:
        order, result = await self._read(order_id)
        count_cache_request(result)
        return order

    async def _read(self, order_id: str) -> tuple[Order | None, str]:
        """The cached order and whether it was a hit, a miss (a copy not trusted included) or
        an error (Redis failed)."""
        now = self._clock()
        if now < self._distrust_until:
            return None, MISS
        suspect = self._suspect.get(order_id)
        if suspect is not None:
            if now - suspect.since < self._ttl_s:
                await self._replace_suspect_copies()
                return None, MISS
            del self._suspect[order_id]  # every copy it was about has expired
        key = KEY_PREFIX + order_id
        raw = await self._cache.get(key, _FAILED)
        if raw is _FAILED:
            return None, ERROR
        if raw is None or raw == _TOMBSTONE or raw.startswith(_STALE_PREFIX):
            return None, MISS
        try:
            return decode(raw), HIT
        except (ValueError, KeyError, TypeError):
            await self.remove(order_id)  # written by an older version of the code: drop it
            return None, MISS

    async def put(self, order: Order) -> None:
        now = self._clock()
        written = await self._cache.guarded(
            lambda: self._put_if_newer(
                keys=[KEY_PREFIX + order.id], args=[encode(order), order.version, self._ttl_s]
            ),
            _FAILED,
        )
        if written is _FAILED:
            self._mark_suspect(order.id, order.version)
            return
        suspect = self._suspect.get(order.id)
        if suspect is not None:
            if order.version >= suspect.version:
                del self._suspect[order.id]
            else:
                suspect.since = now  # an older copy may just have been written
        await self._replace_suspect_copies()

    async def remove(self, order_id: str) -> None:
        """Replace the entry by a short-lived tombstone that no late write of an older version
        can overwrite (a GET that read the order just before the delete)."""
        written = await self._cache.guarded(
            lambda: self._cache.redis.set(KEY_PREFIX + order_id, _TOMBSTONE, ex=_TOMBSTONE_TTL_S),
            _FAILED,
        )
        if written is _FAILED:
            self._mark_suspect(order_id, _DELETED_VERSION)
        else:
            self._suspect.pop(order_id, None)

    def _mark_suspect(self, order_id: str, version: int) -> None:
        now = self._clock()
        known = self._suspect.get(order_id)
        distrusting = now < self._distrust_until
        if distrusting or (known is None and len(self._suspect) >= self._max_suspects):
            if not distrusting:
                logger.warning(
                    "More than {} orders missed their cache write: no cached order is read "
                    "until the copies written before the last such miss have expired",
                    self._max_suspects,
                )
            self._suspect.clear()
            # Every stale copy was written before now, or is a late write landing within the
            # margin; it expires by then.
            self._distrust_until = now + self._ttl_s + _IN_FLIGHT_MARGIN_S
            return
        self._suspect[order_id] = _Suspect(max(version, known.version if known else version), now)

    async def _replace_suspect_copies(self) -> None:
        """Put a stale marker over the cached copy of every suspect (one round trip)."""
        if not self._suspect:
            return
        suspects = list(self._suspect.items())

        async def write() -> bool:
            # Through the put script: a newer copy (written by another instance meanwhile) or
            # a tombstone stays; only an older copy (or none) is covered by the marker.
            async with self._cache.redis.pipeline(transaction=False) as pipe:
                for order_id, suspect in suspects:
                    await self._put_if_newer(
                        keys=[KEY_PREFIX + order_id],
                        args=[_stale_marker(suspect.version), suspect.version - 0.5, self._ttl_s],
                        client=pipe,
                    )
                await pipe.execute()
            return True

        if await self._cache.guarded(write, _FAILED) is _FAILED:
            return
        for order_id, suspect in suspects:
            if self._suspect.get(order_id) is suspect:  # not failed again meanwhile
                del self._suspect[order_id]
