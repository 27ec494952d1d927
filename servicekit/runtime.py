"""The clients one service process shares, built once in its lifespan and closed at shutdown."""

import asyncio
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
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
from servicekit.health import HealthCheck, expect, http_health_probe, run_checks
from servicekit.http import ServiceClient, create_http_client
from servicekit.mongo import CollectionIndexes, MongoEngine
from servicekit.outbox import OutboxRelay
from servicekit.service_urls import ServiceUrlCache
from servicekit.settings import ConfigError, ServiceSettings, SettingsT, load_settings

T = TypeVar("T")


class BackgroundWorker(Protocol):
    """Something that runs beside the requests (outbox relay, charge sweep)."""

    name: str

    @property
    def is_running(self) -> bool: ...

    def start(self) -> None: ...

    async def stop(self) -> None: ...


W = TypeVar("W", bound=BackgroundWorker)


async def retry_until(
    what: str, attempt: Callable[[], Awaitable[T]], timeout_s: float, pause_s: float = 0.5
) -> T:
    """Retry a start-up step until it works or `timeout_s` passed (servers may start after us)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return await attempt()
        except Exception as error:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{what} not reachable after {timeout_s:g} s: {error!r}"
                ) from None
            logger.warning("{} not reachable yet ({!r}), retrying", what, error)
            await asyncio.sleep(pause_s)


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
        """MongoDB, RabbitMQ, Redis (non-critical: we work without it) and each called service."""
        checks = [
            HealthCheck("mongodb", self.mongo.ping),
            HealthCheck(
                "rabbitmq", expect(lambda: self.broker.is_connected, "not connected to RabbitMQ")
            ),
            HealthCheck("redis", self.cache.ping, critical=False),
        ]
        for consumer in self.consumers:
            checks.append(
                HealthCheck("consumer", expect(lambda c=consumer: c.is_running, "not consuming"))
            )
        for worker in self.workers:
            checks.append(
                HealthCheck(worker.name, expect(lambda w=worker: w.is_running, "stopped"))
            )
        for name in called_services:
            base_url = (lambda service: lambda: self.service_urls.get(service))(name)
            path = "/health/live" if name in OUR_SERVICES else "/health"
            checks.append(
                HealthCheck(name, http_health_probe(self.http, base_url, path), critical=False)
            )
        return checks

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


OUR_SERVICES = frozenset({"OrderService", "PaymentService", "DistanceService"})


def serve(settings_class: type[SettingsT], create_app: Callable[[SettingsT], Any]) -> int:
    """Run a service with uvicorn on its configured host and port (`python -m <Service>`)."""
    import uvicorn

    try:
        settings = load_settings(settings_class)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    uvicorn.run(
        create_app(settings),
        host=getattr(settings, "host", "127.0.0.1"),
        port=getattr(settings, "port", 8000),
        log_config=None,  # our loguru setup routes uvicorn's loggers
        timeout_graceful_shutdown=10,
        timeout_keep_alive=int(settings.http_keep_alive_s),
        access_log=settings.access_log,
        ssl_certfile=settings.tls_cert_file,
        ssl_keyfile=settings.tls_key_file,
    )
    return 0
