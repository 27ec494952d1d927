"""OrderService as a real process with a Redis of the test's own: events handled while Redis is
down move the order on, and once Redis is back (with the copy it held before) GET never serves
the older cached status."""

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import ujson
from redis.asyncio import Redis

from devstack.parts import Redis as RedisServer
from devstack.stack import Stack
from OrderService.repository.redis_order_cache import KEY_PREFIX
from servicekit.mongo import MongoEngine
from servicekit.service_urls import ServiceUrlCache
from servicekit.settings import ServiceSettings
from simulator.parties import CardCompany, Customer
from tests.conftest import TEST_API_KEY
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
    client = CardCompany(f"http://127.0.0.1:{part.port}", TEST_API_KEY)
    try:
        await service_urls.register("PaymentService", f"http://127.0.0.1:{part.port}")
        yield client
    finally:
        await client.close()
        stack.down()
        await delete_service_queues(settings.rabbit_url, queue, exchange=exchange)


async def stored_status(mongo: MongoEngine, order_id: str) -> str | None:
    document = await mongo.db.orders.find_one({"_id": order_id}, {"status": 1})
    return document and document["status"]


async def test_events_handled_with_redis_down_and_no_stale_order_once_it_is_back(
    env, card_company: CardCompany, mongo: MongoEngine, settings: ServiceSettings, tmp_path
) -> None:
    redis_server = RedisServer(name="redis-outage", port=free_port(), state=tmp_path / "state")
    redis_stack = Stack([redis_server], quiet=True)
    redis_stack.up()
    redis = Redis.from_url(f"redis://127.0.0.1:{redis_server.port}/0", decode_responses=True)
    queue = f"OrderService-outage-{uuid.uuid4().hex[:6]}"
    own_env = {**env, "REDIS_URL": f"redis://127.0.0.1:{redis_server.port}/0", "QUEUE_NAME": queue}
    service_stack: Stack | None = None
    customer: Customer | None = None
    try:
        service_stack, service = start_service("OrderService", tmp_path / "orders", own_env)
        customer = Customer(f"http://127.0.0.1:{service.port}", TEST_API_KEY)
        order = await customer.place()
        order_id = order["id"]
        await card_company.wait_for_payment(order_id, "pending")  # the charge reached it
        cached = ujson.loads(await redis.get(KEY_PREFIX + order_id))
        assert cached["status"] == "created"
        assert (await customer.get(order_id))["status"] == "created"
        # Redis goes away with this copy on disk and comes back with it, as a server that
        # keeps its data does (devstack's Redis saves nothing by itself).
        await redis.save()
        await redis.aclose()
        redis_stack.down()

        answer = await card_company.answer(order_id, "paymentPaid")
        assert answer.status_code == 201, answer.text

        async def moved_on() -> bool:
            return await stored_status(mongo, order_id) == "deliveryScheduled"

        await wait_for(moved_on, timeout_s=60, what="the order to move on in MongoDB")
        assert (await customer.get(order_id))["status"] == "deliveryScheduled"
        assert "Redis unavailable" in service.log_file.read_text()

        redis_stack.up()
        redis = Redis.from_url(f"redis://127.0.0.1:{redis_server.port}/0", decode_responses=True)
        stale = ujson.loads(await redis.get(KEY_PREFIX + order_id))
        assert stale["status"] == "created"  # the older copy is back in Redis

        async def cache_in_use_again() -> bool:
            status = (await customer.get(order_id))["status"]
            assert status == "deliveryScheduled", f"GET served {status} once Redis was back"
            raw = await redis.get(KEY_PREFIX + order_id)
            return raw is not None and ujson.loads(raw).get("status") == "deliveryScheduled"

        await wait_for(cache_in_use_again, timeout_s=60, what="the new status cached in Redis")
        for _ in range(3):  # now from the cache
            assert (await customer.get(order_id))["status"] == "deliveryScheduled"
        assert await stored_status(mongo, order_id) == "deliveryScheduled"
    finally:
        if customer is not None:
            await customer.close()
        if service_stack is not None:
            service_stack.down()
        await redis.aclose()
        redis_stack.down()
        await delete_service_queues(settings.rabbit_url, queue)
