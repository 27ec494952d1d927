"""OrderService as a real process with a Redis of the test's own (keeping its data on disk, as a
Redis run with persistence does): events handled while Redis is down move the order on, and once
Redis is back with the copy it held before, GET never serves that older status, not even from an
OrderService process started during the outage (it knows nothing of the writes that failed)."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import ujson
from redis.asyncio import Redis

from devstack.parts import Redis as RedisServer
from devstack.parts import ServiceProcess
from devstack.stack import Stack
from OrderService.repository.redis_order_cache import KEY_PREFIX
from servicekit.mongo import MongoEngine
from servicekit.service_urls import ServiceUrlCache
from servicekit.settings import ServiceSettings
from simulator.parties import CardCompany, Customer
from tests.conftest import TEST_API_KEY, TEST_WEBHOOK_SECRET
from tests.integration.conftest import free_port, wait_for
from tests.integration.services import delete_service_queues, service_env, start_service

pytestmark = pytest.mark.integration


@pytest.fixture
def exchange() -> str:
    return f"test-redis-outage-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def env(settings: ServiceSettings, exchange: str) -> dict[str, str]:
    return service_env(settings, exchange)


@pytest.fixture
async def card_company(
    env, exchange, service_urls: ServiceUrlCache, settings: ServiceSettings, tmp_path: Path
) -> AsyncIterator[CardCompany]:
    """PaymentService (on the tests' shared Redis) and the test playing the card company."""
    queue = f"PaymentService-{uuid.uuid4().hex[:6]}"
    stack, part = start_service("PaymentService", tmp_path / "pay", {**env, "QUEUE_NAME": queue})
    client = CardCompany(f"http://127.0.0.1:{part.port}", TEST_API_KEY, TEST_WEBHOOK_SECRET)
    try:
        await service_urls.register("PaymentService", f"http://127.0.0.1:{part.port}")
        yield client
    finally:
        await client.close()
        stack.down()
        await delete_service_queues(settings.rabbit_url, queue, exchange=exchange)


@dataclass
class Outage:
    """OrderService on a Redis of the test's own, which the test stops and starts."""

    redis_stack: Stack
    redis_url: str
    service_stack: Stack
    service: ServiceProcess
    customer: Customer
    order_id: str = ""

    async def cached_copy(self) -> dict | None:
        redis = Redis.from_url(self.redis_url, decode_responses=True)
        try:
            raw = await redis.get(KEY_PREFIX + self.order_id)
        finally:
            await redis.aclose()
        return raw and ujson.loads(raw)


@pytest.fixture
async def outage(
    env, settings: ServiceSettings, tmp_path: Path, card_company: CardCompany
) -> AsyncIterator[Outage]:
    """Started after `card_company` registered its PaymentService: this OrderService caches
    service URLs in its own Redis, where a later registration could not reach it."""
    server = RedisServer(
        name="redis-outage", port=free_port(), state=tmp_path / "state", persistent=True
    )
    redis_stack = Stack([server], quiet=True)
    redis_stack.up()
    redis_url = f"redis://127.0.0.1:{server.port}/0"
    queue = f"OrderService-outage-{uuid.uuid4().hex[:6]}"
    own_env = {**env, "REDIS_URL": redis_url, "QUEUE_NAME": queue}
    service_stack: Stack | None = None
    try:
        service_stack, service = start_service("OrderService", tmp_path / "orders", own_env)
        customer = Customer(f"http://127.0.0.1:{service.port}", TEST_API_KEY)
        try:
            yield Outage(redis_stack, redis_url, service_stack, service, customer)
        finally:
            await customer.close()
    finally:
        if service_stack is not None:
            service_stack.down()
        redis_stack.down()
        await delete_service_queues(settings.rabbit_url, queue)


async def stored_status(mongo: MongoEngine, order_id: str) -> str | None:
    document = await mongo.db.orders.find_one({"_id": order_id}, {"status": 1})
    return document and document["status"]


async def paid_while_redis_is_down(
    outage: Outage, card_company: CardCompany, mongo: MongoEngine
) -> None:
    """An order cached as `created`; Redis stops with that copy on disk; the payment moves the
    order on to deliveryScheduled in MongoDB meanwhile, and GET says so."""
    order = await outage.customer.place()
    outage.order_id = order_id = order["id"]
    await card_company.wait_for_payment(order_id, "pending")  # the charge reached it
    assert (await outage.cached_copy())["status"] == "created"
    assert (await outage.customer.get(order_id))["status"] == "created"
    outage.redis_stack.down()  # SIGTERM: Redis writes its file and stops

    answer = await card_company.answer(order_id, "paymentPaid")
    assert answer.status_code == 201, answer.text

    async def moved_on() -> bool:
        return await stored_status(mongo, order_id) == "deliveryScheduled"

    await wait_for(moved_on, timeout_s=60, what="the order to move on in MongoDB")
    assert (await outage.customer.get(order_id))["status"] == "deliveryScheduled"
    assert "Redis unavailable" in outage.service.log_file.read_text()


async def no_stale_order_once_redis_is_back(outage: Outage, mongo: MongoEngine) -> None:
    order_id = outage.order_id
    outage.redis_stack.up()  # the same data directory: the copy from before is back

    async def cache_in_use_again() -> bool:
        status = (await outage.customer.get(order_id))["status"]
        assert status == "deliveryScheduled", f"GET served {status} once Redis was back"
        copy = await outage.cached_copy()
        return copy is not None and copy.get("status") == "deliveryScheduled"

    await wait_for(cache_in_use_again, timeout_s=60, what="the new status cached in Redis")
    for _ in range(3):  # now from the cache
        assert (await outage.customer.get(order_id))["status"] == "deliveryScheduled"
    assert await stored_status(mongo, order_id) == "deliveryScheduled"


async def test_events_handled_with_redis_down_and_no_stale_order_once_it_is_back(
    outage: Outage, card_company: CardCompany, mongo: MongoEngine
) -> None:
    await paid_while_redis_is_down(outage, card_company, mongo)
    await no_stale_order_once_redis_is_back(outage, mongo)


async def test_an_order_service_started_during_the_outage_serves_no_stale_order(
    outage: Outage, card_company: CardCompany, mongo: MongoEngine
) -> None:
    """The new process never saw a cache write fail (it reads the order first once Redis is
    back): only the restarted Redis tells it that what Redis holds may be older than MongoDB."""
    await paid_while_redis_is_down(outage, card_company, mongo)
    outage.service_stack.down()
    outage.service_stack.up()  # the same port, a new process
    await no_stale_order_once_redis_is_back(outage, mongo)
