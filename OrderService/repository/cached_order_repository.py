"""Orders read through the Redis cache and written through to it: the business rules never see
the cache. Every change of the order is cached (the cache keeps the newest version), and so is
every order loaded for a decision; the charge schedule (attempts, leases) is not part of what
readers see and stays in MongoDB only. Every status change passes here, so it is counted here."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import Enum
from typing import Any

from OrderService.business.models import Order, OrderQuery, Page
from OrderService.repository.mongo_order_repository import MongoOrderRepository
from OrderService.repository.order_metrics import count_transition
from OrderService.repository.redis_order_cache import RedisOrderCache
from servicekit.contracts import Event
from servicekit.states import Changes, Statuses


class CachedOrderRepository:
    def __init__(self, stored: MongoOrderRepository, cache: RedisOrderCache) -> None:
        self._stored = stored
        self._cache = cache

    async def _cached(self, order: Order | None) -> Order | None:
        if order is not None:
            await self._cache.put(order)
        return order

    async def add(self, order: Order, event: Event) -> Order:
        stored = await self._stored.add(order, event)
        if stored.id == order.id:
            await self._cache.put(stored)
        return stored

    async def get(self, order_id: str) -> Order | None:
        return await self._cache.get(order_id) or await self.load(order_id)

    async def load(self, order_id: str) -> Order | None:
        # Also heals a cached copy left behind (a process that stopped between storing a
        # change and caching it): the cache keeps whichever version is newer.
        return await self._cached(await self._stored.get(order_id))

    async def list(self, query: OrderQuery) -> Page:
        return await self._stored.list(query)

    async def delete(self, order_id: str, only_if: Changes = None) -> bool:
        deleted = await self._stored.delete(order_id, only_if)
        if deleted:
            await self._cache.remove(order_id)
        return deleted

    async def transition(
        self,
        order_id: str,
        allowed_from: Statuses,
        to: Enum,
        changes: Changes = None,
        events: Sequence[Event] = (),
    ) -> Order | None:
        allowed = frozenset(allowed_from)
        moved = await self._stored.transition(order_id, allowed, to, changes, events)
        if moved is not None and allowed != {to}:  # staying where it is is no step
            count_transition(moved)
        return await self._cached(moved)

    async def update(
        self, order_id: str, changes: Mapping[str, Any], only_if: Changes = None
    ) -> Order | None:
        return await self._cached(await self._stored.update(order_id, changes, only_if))

    async def charge_failed(self, order_id: str, error: str, retry_at: datetime) -> None:
        await self._stored.charge_failed(order_id, error, retry_at)

    async def orders_to_charge(
        self, now: datetime, lease_s: float, limit: int = 50
    ) -> Sequence[Order]:
        return await self._stored.orders_to_charge(now, lease_s, limit)
