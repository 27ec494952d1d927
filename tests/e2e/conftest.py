"""End-to-end: all three services as processes on the real stack, driven from outside."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import ujson

from devstack.parts import ServiceProcess
from servicekit.service_urls import ServiceUrlCache
from servicekit.settings import ServiceSettings
from tests.conftest import TEST_API_KEY
from tests.integration.conftest import mongo, redis, service_urls, stack  # noqa: F401
from tests.integration.services import delete_service_queues, service_env, start_service


@dataclass
class System:
    env: dict[str, str]
    exchange: str
    order_queue: str
    distance_queue: str
    order: ServiceProcess
    payment: ServiceProcess
    distance: ServiceProcess

    @property
    def order_url(self) -> str:
        return f"http://127.0.0.1:{self.order.port}"

    @property
    def payment_url(self) -> str:
        return f"http://127.0.0.1:{self.payment.port}"


@pytest.fixture(scope="module")
def system_env() -> dict[str, str]:
    """Settings of the module's system on top of the test defaults (a module may override)."""
    return {}


@pytest.fixture(scope="module")
async def system(
    settings: ServiceSettings,
    service_urls: ServiceUrlCache,  # noqa: F811
    tmp_path_factory,
    system_env: dict[str, str],
) -> AsyncIterator[System]:
    """The three services on an exchange and queues of this module's own."""
    suffix = uuid.uuid4().hex[:6]
    exchange = f"test-e2e-{suffix}"
    order_queue, distance_queue = f"OrderService-{suffix}", f"DistanceService-{suffix}"
    env = service_env(settings, exchange, LOG_LEVEL="INFO", **system_env)
    state = tmp_path_factory.mktemp("e2e")
    stacks = []  # stopped in reverse even when a later one fails to start
    try:
        payment_stack, payment = start_service("PaymentService", state, env)
        stacks.append(payment_stack)
        await service_urls.register("PaymentService", f"http://127.0.0.1:{payment.port}")
        order_stack, order = start_service(
            "OrderService", state, {**env, "QUEUE_NAME": order_queue}
        )
        stacks.append(order_stack)
        distance_stack, distance = start_service(
            "DistanceService", state, {**env, "QUEUE_NAME": distance_queue}
        )
        stacks.append(distance_stack)
        yield System(
            {**env, "SERVICE_API_KEY": TEST_API_KEY},
            exchange,
            order_queue,
            distance_queue,
            order,
            payment,
            distance,
        )
    finally:
        for started in reversed(stacks):
            started.down()
    await delete_service_queues(
        env["RABBIT_URL"],
        order_queue,
        distance_queue,
        exchange=exchange,
        retry_delays_ms=tuple(ujson.loads(env["RETRY_DELAYS_MS"])),
    )
