"""The clients one service process shares, built once in its lifespan and closed at shutdown."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import httpx
from loguru import logger
from redis.asyncio import Redis

from servicekit import __version__
from servicekit.broker import (
    BrokerConnection,
    EventPublisher,
    MessageHandler,
    QueueConsumer,
    ServiceQueue,
)
from servicekit.cache import RedisCache, create_redis
from servicekit.document_store import DocumentStore
from servicekit.health import HealthCheck, run_checks
from servicekit.http import ServiceClient, create_http_client
from servicekit.mongo import CollectionIndexes, MongoEngine
from servicekit.outbox import OutboxRelay
from servicekit.runtime_health import resource_checks
from servicekit.service_urls import ServiceUrlCache
from servicekit.serving import serve
from servicekit.settings import ServiceSettings
from servicekit.startup import retry_until

__all__ = ["BackgroundWorker", "Infrastructure", "retry_until", "serve"]


class BackgroundWorker(Protocol):
    """Something that runs beside the requests (outbox relay, charge sweep)."""

    name: str

    @property
    def is_running(self) -> bool: ...

    def start(self) -> None: ...

    async def stop(self) -> None: ...


W = TypeVar("W", bound=BackgroundWorker)


@dataclass
class Infrastructure:
    settings: ServiceSettings
    mongo: MongoEngine
    redis: Redis
    cache: RedisCache
    broker: BrokerConnection
    publisher: EventPublisher
    http: httpx.AsyncClient
    service_urls: ServiceUrlCache
    services: ServiceClient
    consumers: list[QueueConsumer] = field(default_factory=list)
    workers: list[BackgroundWorker] = field(default_factory=list)

    @classmethod
    async def start(
        cls,
        settings: ServiceSettings,
        indexes: Sequence[CollectionIndexes],
        startup_timeout_s: float = 30.0,
    ) -> "Infrastructure":
        mongo = MongoEngine(
            settings.mongo_url,
            settings.mongo_db,
            settings.mongo_timeout_ms,
            settings.mongo_retry_writes,
            settings.mongo_min_pool_size,
        )
        redis = create_redis(settings.redis_url, settings.redis_timeout_s)
        broker = BrokerConnection(
            settings.rabbit_url, settings.exchange_name, settings.service_name
        )
        try:
            await retry_until("MongoDB", mongo.ping, startup_timeout_s)
            await mongo.ensure_indexes(indexes)
            await retry_until("RabbitMQ", broker.connect, startup_timeout_s)
        except BaseException:
            await broker.close()
            await redis.aclose()
            await mongo.close()
            raise
        cache = RedisCache(redis)
        http = create_http_client(settings)
        urls = ServiceUrlCache(mongo.db, cache, settings.service_url_ttl_s)
        services = ServiceClient(
            lambda: create_http_client(settings), urls, settings.service_api_key.get_secret_value()
        )
        return cls(
            settings, mongo, redis, cache, broker, EventPublisher(broker), http, urls, services
        )

    def documents(self, collection: str) -> DocumentStore:
        """A collection whose writes carry their events (the outbox inside each document); its
        relay runs while the service runs and retries at once when the broker is back."""
        # Events belong to the service and the exchange they are meant for: two deployments
        # sharing a database never publish each other's events.
        source = f"{self.settings.service_name}@{self.settings.exchange_name}"
        documents = self.mongo.db[collection]
        relay = OutboxRelay(documents, self.publisher, source=source)
        self.broker.on_reconnect(relay.retry_now)
        self.keep_running(relay)
        return DocumentStore(documents, relay)

    def consumer(self, binding_keys: Sequence[str], handler: MessageHandler) -> QueueConsumer:
        """The consumer of the service's queue (bound to `binding_keys`), run while it runs."""
        settings = self.settings
        queue = ServiceQueue(
            settings.work_queue, binding_keys, settings.retry_delays_ms, settings.queue_type
        )
        consumer = QueueConsumer(
            self.broker, self.publisher, queue, handler, settings.prefetch_count
        )
        self.consumers.append(consumer)
        return consumer

    def keep_running(self, worker: W) -> W:
        """Start a background worker with the service and stop it at shutdown."""
        self.workers.append(worker)
        return worker

    @asynccontextmanager
    async def running(self) -> AsyncIterator["Infrastructure"]:
        """Run consumers and workers; at exit stop taking messages, let the work in flight
        finish, stop the workers, then close every connection."""
        try:
            for worker in self.workers:
                worker.start()
            for consumer in self.consumers:
                await consumer.start()
            logger.info("{} ready", self.settings.service_name)
            yield self
        finally:
            for consumer in self.consumers:
                await consumer.stop()
            for worker in reversed(self.workers):
                await worker.stop()
            await self.close()
            logger.info("{} stopped", self.settings.service_name)

    def health_checks(self, called_services: Sequence[str]) -> list[HealthCheck]:
        """What `/health` probes (see servicekit.runtime_health)."""
        return resource_checks(self, called_services)

    async def health_report(
        self, called_services: Sequence[str], extra: Sequence[HealthCheck] = ()
    ) -> dict[str, Any]:
        """The full `/health` report: every resource and every service this one calls."""
        checks = [*self.health_checks(called_services), *extra]
        report = await run_checks(checks, self.settings.health_timeout_s)
        return {"service": self.settings.service_name, "version": __version__, **report}

    async def readiness(self, extra: Sequence[HealthCheck] = ()) -> dict[str, Any]:
        """`/health/ready`: only what the service cannot work without."""
        checks = [check for check in self.health_checks([]) if check.critical]
        return await run_checks([*checks, *extra], self.settings.health_timeout_s)

    async def close(self) -> None:
        """Close every connection, each even when closing another failed."""
        closes = (self.broker.close, self.services.aclose, self.http.aclose)
        for close in (*closes, self.redis.aclose, self.mongo.close):
            try:
                await close()
            except Exception as error:
                logger.warning("Closing failed: {!r}", error)
