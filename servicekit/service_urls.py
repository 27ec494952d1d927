"""Where the other services live: MongoDB holds the truth, Redis caches it for 24 hours."""

from collections.abc import Mapping
from typing import Protocol

from loguru import logger
from pymongo.asynchronous.database import AsyncDatabase

from servicekit.cache import RedisCache

COLLECTION = "service_urls"
KEY_PREFIX = "service-url:"


class ServiceUrlNotFound(LookupError):
    """No URL is registered for the service (seed the service-URL collection)."""

    def __init__(self, service: str) -> None:
        super().__init__(f"no URL registered for service {service!r}; run the seed script")
        self.service = service


class ServiceUrls(Protocol):
    """Anything that can tell a service's base URL."""

    async def get(self, service: str) -> str: ...


class ServiceUrlCache:
    """Looks up a service's base URL in Redis, then MongoDB (refilling Redis)."""

    def __init__(self, db: AsyncDatabase[Mapping], cache: RedisCache, ttl_s: int) -> None:
        self._collection = db[COLLECTION]
        self._cache = cache
        self._ttl_s = ttl_s

    async def get(self, service: str) -> str:
        cached = await self._cache.get(KEY_PREFIX + service)
        if cached:
            return cached
        document = await self._collection.find_one({"_id": service})
        if not document or not document.get("url"):
            raise ServiceUrlNotFound(service)
        url = str(document["url"]).rstrip("/")
        await self._cache.set(KEY_PREFIX + service, url, self._ttl_s)
        logger.debug("Service URL for {} loaded from MongoDB: {}", service, url)
        return url

    async def register(self, service: str, url: str) -> None:
        """Store (or replace) a service's URL and drop the cached copy."""
        await self._collection.replace_one(
            {"_id": service}, {"_id": service, "url": url.rstrip("/")}, upsert=True
        )
        await self._cache.delete(KEY_PREFIX + service)

    async def clear_cache(self, services: list[str] | None = None) -> list[str]:
        """Remove cached URLs (all registered services when none are named)."""
        if services is None:
            services = [doc["_id"] async for doc in self._collection.find({}, {"_id": 1})]
        if services:
            await self._cache.delete(*(KEY_PREFIX + name for name in services))
        return services
