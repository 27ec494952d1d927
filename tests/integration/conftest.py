"""Integration tests run against the real servers: start what is not running, stop it after."""

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from devstack.parts import RabbitMQ, free_port, infrastructure
from devstack.stack import Stack
from servicekit.broker import BrokerConnection, EventPublisher
from servicekit.cache import RedisCache, create_redis
from servicekit.mongo import MongoEngine
from servicekit.service_urls import ServiceUrlCache
from servicekit.settings import ServiceSettings


@pytest.fixture(scope="session", autouse=True)
def stack() -> Iterator[Stack]:
    stack = Stack(infrastructure(with_mongo=not os.environ.get("MONGO_URL")))
    started = stack.up()
    yield stack
    stack.down(started)


@pytest.fixture(scope="session")
async def mongo(settings: ServiceSettings) -> AsyncIterator[MongoEngine]:
    engine = MongoEngine(settings.mongo_url, settings.mongo_db)
    yield engine
    await engine.client.drop_database(settings.mongo_db)
    await engine.close()


@pytest.fixture
async def redis(settings: ServiceSettings) -> AsyncIterator[Redis]:
    client = create_redis(settings.redis_url, settings.redis_timeout_s)
    yield client
    await client.aclose()


@pytest.fixture(scope="module")
async def service_urls(mongo: MongoEngine, settings: ServiceSettings) -> ServiceUrlCache:
    """Service URLs in the test database, with a Redis cache db of the tests' own."""
    from tests.integration.services import TEST_REDIS_URL

    client = Redis.from_url(TEST_REDIS_URL, decode_responses=True)
    await client.flushdb()
    urls = ServiceUrlCache(mongo.db, RedisCache(client), ttl_s=3600)
    for service, url in settings.service_urls.items():
        await urls.register(service, url)
    return urls


@pytest.fixture
def exchange_name() -> str:
    """A fresh exchange per test, so tests never see each other's messages."""
    return f"test-exchange-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def broker(settings: ServiceSettings, exchange_name: str) -> AsyncIterator[BrokerConnection]:
    connection = BrokerConnection(settings.rabbit_url, exchange_name, "tests")
    await connection.connect()
    yield connection
    await connection.channel.exchange_delete(exchange_name)
    await connection.close()


@pytest.fixture
def publisher(broker: BrokerConnection) -> EventPublisher:
    return EventPublisher(broker)


async def wait_for(
    condition: Callable[[], object], timeout_s: float = 10.0, what: str = "condition"
) -> None:
    """Poll a (sync or async) condition until it is true; fail with `what` after the timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        await asyncio.sleep(0.02)


@pytest.fixture
def private_state(tmp_path: Path) -> Path:
    """A state folder for servers a test starts only for itself (and may stop mid-test)."""
    return tmp_path / "state"


def private_rabbitmq(state: Path, name: str = "rabbitmq-private") -> RabbitMQ:
    """A broker node of a test's own (free ports, own node name), to stop and start at will."""
    return RabbitMQ(
        name=name,
        port=free_port(),
        management_port=free_port(),
        prometheus_port=free_port(),
        dist_port=free_port(),
        node_name=f"rabbit-{uuid.uuid4().hex[:6]}@localhost",
        state=state,
    )
