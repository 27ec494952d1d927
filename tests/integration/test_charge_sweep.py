"""OrderService's charge sweep as a real process: a charge that could not be sent when the order
was placed (PaymentService down, or the process gone before sending it) is sent later."""

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest

from devstack.parts import ServiceProcess
from OrderService.business.models import Order
from OrderService.business.state_machine import OrderStatus
from OrderService.repository.mongo_order_repository import to_document
from servicekit.clock import now_ms
from servicekit.mongo import MongoEngine
from servicekit.service_urls import ServiceUrlCache
from servicekit.settings import ServiceSettings
from simulator.parties import Customer
from tests.conftest import TEST_API_KEY
from tests.integration.conftest import free_port, wait_for
from tests.integration.services import delete_service_queues, service_env, start_service

pytestmark = pytest.mark.integration

ITEMS = [{"product": "Lasagna", "quantity": 1}]


@pytest.fixture(scope="module")
def exchange() -> str:
    return f"test-charges-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def queue_name() -> str:
    return f"OrderService-charges-{uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="module")
async def payment_service(
    settings: ServiceSettings, exchange: str, service_urls: ServiceUrlCache, tmp_path_factory
) -> AsyncIterator[ServiceProcess]:
    env = service_env(settings, exchange)
    stack, part = start_service("PaymentService", tmp_path_factory.mktemp("pay"), env)
    await service_urls.register("PaymentService", payment_url(part))
    yield part
    stack.down()
    await service_urls.register("PaymentService", settings.service_urls["PaymentService"])


@pytest.fixture(scope="module")
def order_service(
    settings: ServiceSettings, exchange: str, queue_name: str, payment_service, tmp_path_factory
) -> Iterator[ServiceProcess]:
    # A short grace: the sweep may take an order's charge over one second after it was placed.
    env = service_env(settings, exchange, QUEUE_NAME=queue_name, CHARGE_GRACE_S="1")
    stack, part = start_service("OrderService", tmp_path_factory.mktemp("orders"), env)
    yield part
    stack.down()


@pytest.fixture(scope="module")
async def cleanup_queues(settings: ServiceSettings, exchange: str, queue_name: str):
    yield
    await delete_service_queues(settings.rabbit_url, queue_name, exchange=exchange)


@pytest.fixture
async def customer(cleanup_queues, order_service: ServiceProcess) -> AsyncIterator[Customer]:
    client = Customer(f"http://127.0.0.1:{order_service.port}", TEST_API_KEY)
    yield client
    await client.close()


def payment_url(part: ServiceProcess) -> str:
    return f"http://127.0.0.1:{part.port}"


async def stored_order(mongo: MongoEngine, order_id: str) -> dict:
    order = await mongo.db.orders.find_one({"_id": order_id})
    assert order is not None, order_id
    return order


async def charged(mongo: MongoEngine, order_id: str) -> bool:
    """OrderService marked the charge sent, and PaymentService holds a payment for the order."""
    order = await stored_order(mongo, order_id)
    return order["charge"] == "sent" and bool(
        await mongo.db.payments.find_one({"order_id": order_id})
    )


async def test_charge_not_sent_while_payment_service_is_down_is_sent_by_the_sweep_later(
    customer: Customer,
    payment_service: ServiceProcess,
    service_urls: ServiceUrlCache,
    mongo: MongoEngine,
) -> None:
    closed_port = free_port()  # nothing listens there: every charge is refused a connection
    await service_urls.register("PaymentService", f"http://127.0.0.1:{closed_port}")
    try:
        order_id = (await customer.place(ITEMS))["id"]

        async def retried_by_the_sweep() -> bool:
            # Attempt 1 is the placing request's own; the ones after it are the sweep's.
            return (await stored_order(mongo, order_id)).get("charge_attempts", 0) >= 2

        await wait_for(retried_by_the_sweep, timeout_s=60, what="the sweep to retry the charge")
        order = await stored_order(mongo, order_id)
        assert order["charge"] == "pending" and order["status"] == "created"
        assert "PaymentService" in order["charge_error"]
        assert await mongo.db.payments.find_one({"order_id": order_id}) is None
    finally:
        await service_urls.register("PaymentService", payment_url(payment_service))

    await wait_for(
        lambda: charged(mongo, order_id), timeout_s=90, what="the sweep to send the charge"
    )
    order = await stored_order(mongo, order_id)
    assert order["status"] == "created"  # charged, waiting for the card company's answer
    assert await mongo.db.payments.count_documents({"order_id": order_id}) == 1


async def test_charge_of_a_process_that_died_before_sending_it_is_sent_by_the_sweep(
    customer: Customer, mongo: MongoEngine
) -> None:
    # Stored as OrderService stores a placed order, but no process ever tried to charge it.
    placed_at = now_ms() - timedelta(minutes=1)
    order = Order(
        id=str(uuid.uuid4()),
        customer_id=str(uuid.uuid4()),
        items=ITEMS,
        status=OrderStatus.CREATED,
        created_at=placed_at,
        updated_at=placed_at,
        history=[{"status": OrderStatus.CREATED.value, "at": placed_at}],
    )
    await mongo.db.orders.insert_one(to_document(order, charge_grace_s=1))
    assert await mongo.db.payments.find_one({"order_id": order.id}) is None

    await wait_for(
        lambda: charged(mongo, order.id), timeout_s=60, what="the sweep to send the charge"
    )
    stored = await stored_order(mongo, order.id)
    assert stored["charge_attempts"] == 0  # sent at the first try, by the sweep
    assert await mongo.db.payments.count_documents({"order_id": order.id}) == 1
