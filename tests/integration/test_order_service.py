"""OrderService and PaymentService as real processes on the real stack; the tests play the card
company, the transport company and the restaurant."""

import asyncio
import re
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import aio_pika
import httpx
import pytest

from devstack.parts import Redis as RedisServer
from devstack.parts import ServiceProcess
from devstack.stack import Stack
from OrderService.business.models import Order, order_event
from OrderService.business.state_machine import FINAL, OrderStatus
from OrderService.repository.mongo_order_repository import MongoOrderRepository
from servicekit.document_store import DocumentStore
from servicekit.mongo import MongoEngine
from servicekit.service_urls import ServiceUrlCache
from servicekit.settings import ServiceSettings
from simulator.parties import AFTER_DRIVER, CardCompany, Customer, StatusReporter, status_message
from tests.conftest import TEST_API_KEY, TEST_WEBHOOK_SECRET
from tests.integration.conftest import free_port, wait_for
from tests.integration.metrics import samples, scrape, total
from tests.integration.services import (
    delete_service_queues,
    service_env,
    start_service,
)

pytestmark = pytest.mark.integration

FULL_HISTORY = [
    "created", "paymentPaid", "deliveryScheduled", "driverAvailable", "cookingScheduled",
    "cookingMeal", "cookingDone", "pickedUp", "inTransit", "delivered",
]  # fmt: skip


@pytest.fixture(scope="module")
def exchange() -> str:
    return f"test-orders-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def queue_name() -> str:
    return f"OrderService-{uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="module")
def env(settings: ServiceSettings, exchange: str) -> dict[str, str]:
    return service_env(settings, exchange)


@pytest.fixture(scope="module")
async def payment_service(env, service_urls, tmp_path_factory) -> AsyncIterator[ServiceProcess]:
    stack, part = start_service("PaymentService", tmp_path_factory.mktemp("pay"), env)
    await service_urls.register("PaymentService", f"http://127.0.0.1:{part.port}")
    yield part
    stack.down()


@pytest.fixture(scope="module")
def order_services(
    env, queue_name, exchange, payment_service, tmp_path_factory, settings: ServiceSettings
) -> Iterator[list[ServiceProcess]]:
    """Two instances on one queue: the events are shared between them."""
    state = tmp_path_factory.mktemp("orders")
    started = []
    try:
        for _ in range(2):
            started.append(start_service("OrderService", state, {**env, "QUEUE_NAME": queue_name}))
        yield [part for _, part in started]
    finally:
        for stack, _ in started:
            stack.down()
    asyncio.run(delete_service_queues(settings.rabbit_url, queue_name, exchange=exchange))


@pytest.fixture
async def customer(order_services) -> AsyncIterator[Customer]:
    client = Customer(f"http://127.0.0.1:{order_services[0].port}", TEST_API_KEY)
    yield client
    await client.close()


@pytest.fixture
async def card_company(payment_service) -> AsyncIterator[CardCompany]:
    client = CardCompany(
        f"http://127.0.0.1:{payment_service.port}", TEST_API_KEY, TEST_WEBHOOK_SECRET
    )
    yield client
    await client.close()


@pytest.fixture
async def reporter(settings: ServiceSettings, exchange: str) -> AsyncIterator[StatusReporter]:
    client = StatusReporter(settings.rabbit_url, exchange)
    await client.connect()
    yield client
    await client.close()


async def paid_order(customer: Customer, card_company: CardCompany) -> dict:
    order = await customer.place()
    answer = await card_company.answer(order["id"], "paymentPaid")
    assert answer.status_code == 201, answer.text
    return await customer.wait_for_status(order["id"], "deliveryScheduled")


async def report(reporter: StatusReporter, order: dict, routing_key: str) -> None:
    status = routing_key.split(".", 1)[1]
    await reporter.report(routing_key, status_message(status, order["id"], order["customer_id"]))


async def drive_to_delivered(
    customer: Customer, card_company: CardCompany, reporter: StatusReporter
) -> dict:
    order = await paid_order(customer, card_company)
    await report(reporter, order, "delivery.driverAvailable")
    await customer.wait_for_status(order["id"], "cookingScheduled")
    for routing_key, status in AFTER_DRIVER:
        await report(reporter, order, routing_key)
        await customer.wait_for_status(order["id"], status)
    return await customer.get(order["id"])


def statuses(order: dict) -> list[str]:
    return [entry["status"] for entry in order["history"]]


async def test_an_order_reaches_delivered_with_the_full_history_in_order(
    customer, card_company, reporter
) -> None:
    order = await drive_to_delivered(customer, card_company, reporter)
    assert order["status"] == "delivered"
    assert statuses(order) == FULL_HISTORY
    # Compared as times, not strings: "...:11Z" and "...:11.041000Z" sort the wrong way round.
    times = [datetime.fromisoformat(entry["at"]) for entry in order["history"]]
    assert times == sorted(times)
    assert order["delivery_id"] and order["kitchen_id"]


async def test_status_sent_straight_to_the_queue_by_name_moves_the_order(
    customer, card_company, reporter, queue_name
) -> None:
    order = await paid_order(customer, card_company)
    body = status_message("driverAvailable", order["id"], order["customer_id"])
    await reporter.report_to_queue(queue_name, body)
    assert (await customer.wait_for_status(order["id"], "cookingScheduled"))["kitchen_id"]


async def test_failed_payment_ends_in_payment_failed(customer, card_company) -> None:
    order = await customer.place()
    assert (await card_company.answer(order["id"], "paymentFailed")).status_code == 201
    failed = await customer.wait_for_status(order["id"], "paymentFailed")
    assert statuses(failed) == ["created", "paymentFailed"]


async def test_refused_charge_ends_in_payment_failed_with_the_reason(
    customer, service_urls: ServiceUrlCache, settings: ServiceSettings
) -> None:
    # CustomerService answering 404 for the billing makes PaymentService refuse the charge.
    await service_urls.register("CustomerService", settings.service_urls["KitchenService"])
    try:
        order = await customer.place()
        failed = await customer.wait_for_status(order["id"], "paymentFailed")
    finally:
        await service_urls.register("CustomerService", settings.service_urls["CustomerService"])
    assert "not found" in failed["failure_reason"]


async def test_cancel_in_created_then_paid_is_reimbursed(customer, card_company) -> None:
    order = await customer.place()
    await card_company.wait_for_payment(order["id"], "pending")
    answer = await customer.cancel(order["id"])
    assert answer.status_code == 202 and answer.json()["status"] == "orderCancelled"
    assert (await card_company.answer(order["id"], "paymentPaid")).status_code == 201
    assert (await card_company.answer(order["id"], "reimbursed")).status_code == 201
    done = await customer.wait_for_status(order["id"], "reimbursed")
    assert statuses(done) == ["created", "orderCancelled", "reimbursed"]
    assert done["delivery_id"] is None  # no driver booked for a cancelled order


async def test_cancel_in_delivery_scheduled_cancels_and_reimburses(customer, card_company) -> None:
    order = await paid_order(customer, card_company)
    answer = await customer.cancel(order["id"])
    assert answer.status_code == 202
    payment = await card_company.wait_for_payment(order["id"], "reimbursementPending")
    assert payment["reimbursement_transaction_id"]
    assert (await card_company.answer(order["id"], "reimbursed")).status_code == 201
    done = await customer.wait_for_status(order["id"], "reimbursed")
    assert statuses(done) == [
        "created",
        "paymentPaid",
        "deliveryScheduled",
        "orderCancelled",
        "reimbursed",
    ]


async def test_cancel_in_payment_paid_while_delivery_cannot_be_booked(
    customer, card_company, service_urls: ServiceUrlCache, settings: ServiceSettings
) -> None:
    await service_urls.register("DeliveryService", f"http://127.0.0.1:{free_port()}")
    try:
        order = await customer.place()
        assert (await card_company.answer(order["id"], "paymentPaid")).status_code == 201
        await customer.wait_for_status(order["id"], "paymentPaid")
        answer = await customer.cancel(order["id"])
        assert answer.status_code == 202
    finally:
        await service_urls.register("DeliveryService", settings.service_urls["DeliveryService"])
    await card_company.wait_for_payment(order["id"], "reimbursementPending")
    assert (await card_company.answer(order["id"], "reimbursed")).status_code == 201
    done = await customer.wait_for_status(order["id"], "reimbursed")
    assert statuses(done) == ["created", "paymentPaid", "orderCancelled", "reimbursed"]


async def test_cancel_after_driver_available_is_400_and_changes_nothing(
    customer, card_company, reporter
) -> None:
    order = await paid_order(customer, card_company)
    await report(reporter, order, "delivery.driverAvailable")
    before = await customer.wait_for_status(order["id"], "cookingScheduled")
    answer = await customer.cancel(order["id"])
    assert answer.status_code == 400
    assert "too late" in answer.json()["detail"]
    assert await customer.get(order["id"]) == before
    assert (await card_company.payment(order["id"]))["status"] == "paid"  # nothing reimbursed


async def test_duplicate_and_out_of_order_events_change_nothing(
    customer, card_company, reporter, order_services, mongo: MongoEngine
) -> None:
    order = await paid_order(customer, card_company)
    await report(reporter, order, "delivery.driverAvailable")
    booked = await customer.wait_for_status(order["id"], "cookingScheduled")
    await report(reporter, order, "delivery.driverAvailable")  # duplicate
    await report(reporter, order, "kitchen.cookingMeal")
    await report(reporter, order, "kitchen.cookingDone")
    await customer.wait_for_status(order["id"], "cookingDone")
    await report(reporter, order, "kitchen.cookingMeal")  # late, out of order
    await report(reporter, order, "payment.paymentPaid")  # long past
    # Either instance may take each of the three: wait until the two logs together show that
    # every one of them was handled (and ignored) before looking at the order.
    expected = Counter({"driverAvailable": 1, "cookingMeal": 1, "paymentPaid": 1})
    await wait_for(
        lambda: _ignored(order_services, order["id"]) >= expected,
        timeout_s=30,
        what=f"the three events of order {order['id']} to be handled",
    )
    stored = await mongo.db.orders.find_one({"_id": order["id"]})
    assert stored["status"] == "cookingDone"
    assert [entry["status"] for entry in stored["history"]] == FULL_HISTORY[:7]
    assert stored["kitchen_id"] == booked["kitchen_id"]
    shown = await customer.get(order["id"])
    assert shown["status"] == "cookingDone" and statuses(shown) == FULL_HISTORY[:7]


def _ignored(parts: list[ServiceProcess], order_id: str) -> Counter[str]:
    """The events of the order that the instances handled by ignoring them, by status."""
    ignored = re.compile(rf"order={re.escape(order_id)} \| Event (\w+) ignored: ")
    return Counter(
        found.group(1)
        for part in parts
        for found in ignored.finditer(Path(part.log_file).read_text())
    )


async def test_malformed_message_is_dead_lettered_and_the_next_order_completes(
    customer, card_company, reporter, settings: ServiceSettings, queue_name
) -> None:
    await reporter.report("delivery.inTransit", b"{not json")
    await reporter.report("delivery.inTransit", {"status": "inTransit", "metadata": None})
    connection = await aio_pika.connect(settings.rabbit_url)
    channel = await connection.channel()
    dead = await channel.declare_queue(f"{queue_name}.dead", passive=True)
    reasons: list[str] = []

    async def two_dead_letters() -> bool:
        message = await dead.get(fail=False, no_ack=True)
        if message is not None:
            reasons.append(message.headers["x-death-reason"])
        return len(reasons) >= 2

    await wait_for(two_dead_letters, what="both malformed messages in the dead-letter queue")
    await connection.close()
    assert all(reason.startswith("malformed:") for reason in reasons)
    order = await drive_to_delivered(customer, card_company, reporter)
    assert order["status"] == "delivered"


async def test_same_idempotency_key_twice_gives_one_order_and_one_charge(
    customer, card_company, mongo: MongoEngine
) -> None:
    key = f"retry-{uuid.uuid4()}"
    items = [{"product": "Vegetarian Salad with healthy produce", "quantity": 3}]
    first = await customer.place(items, idempotency_key=key)
    again = await customer.http.post(
        "/v1/orders",
        json={"customer_id": first["customer_id"], "items": items},
        headers={"Idempotency-Key": key},
    )
    assert again.status_code == 202 and again.json()["id"] == first["id"]
    assert await mongo.db.orders.count_documents({"idempotency_key": key}) == 1
    await card_company.wait_for_payment(first["id"], "pending")
    assert await mongo.db.payments.count_documents({"order_id": first["id"]}) == 1
    other = await customer.http.post(
        "/v1/orders",
        json={"customer_id": str(uuid.uuid4()), "items": items},
        headers={"Idempotency-Key": key},
    )
    assert other.status_code == 409


async def test_same_idempotency_key_with_other_items_is_409_and_stores_nothing(
    customer, mongo: MongoEngine
) -> None:
    key = f"retry-{uuid.uuid4()}"
    first = await customer.place([{"product": "Lasagna", "quantity": 1}], idempotency_key=key)
    for items in (
        [{"product": "Lasagna", "quantity": 2}],
        [{"product": "Vegetarian Salad with healthy produce", "quantity": 1}],
        [{"product": "Lasagna", "quantity": 1}, {"product": "Lasagna", "quantity": 1}],
    ):
        other = await customer.http.post(
            "/v1/orders",
            json={"customer_id": first["customer_id"], "items": items},
            headers={"Idempotency-Key": key},
        )
        assert other.status_code == 409, (items, other.text)
        assert "Idempotency-Key" in other.json()["detail"]
    assert await mongo.db.orders.count_documents({"idempotency_key": key}) == 1
    assert await mongo.db.orders.count_documents({"customer_id": first["customer_id"]}) == 1
    stored = await customer.get(first["id"])
    assert stored["items"] == [{"product": "Lasagna", "quantity": 1}]


async def test_two_instances_share_the_events_and_every_order_ends_right(
    customer, card_company, reporter, order_services
) -> None:
    orders = await asyncio.gather(
        *(drive_to_delivered(customer, card_company, reporter) for _ in range(8))
    )
    assert all(order["status"] == "delivered" for order in orders)
    assert all(statuses(order) == FULL_HISTORY for order in orders)
    ids = {order["id"] for order in orders}
    # Each of these orders' 7 status changes reported by events applied exactly once, by one
    # instance or the other (the two bookings follow in the same handler, logged otherwise);
    # the log line follows the stored change, so wait for the last ones to be written.
    by_events = [status for status in FULL_HISTORY[1:] if not status.endswith("Scheduled")]
    expected = {(order_id, status) for order_id in ids for status in by_events}

    def all_logged() -> bool:
        return set().union(*(_applied(part, ids) for part in order_services)) >= expected

    await wait_for(all_logged, what="every status change of the 8 orders in the logs")
    applied = [_applied(part, ids) for part in order_services]
    assert sum(len(changes) for changes in applied) == len(expected) == 8 * 7
    # Both instances took a share of this test's events (not just of earlier tests').
    assert all(changes for changes in applied), [len(changes) for changes in applied]


def _applied(part: ServiceProcess, order_ids: set[str]) -> set[tuple[str, str]]:
    """The status changes of the given orders that this instance applied (from its log)."""
    change = re.compile(r"order=([0-9a-f-]{36}) \| Order \w+ -> (\w+)$", re.MULTILINE)
    return {
        (found.group(1), found.group(2))
        for found in change.finditer(Path(part.log_file).read_text())
        if found.group(1) in order_ids
    }


async def test_get_list_and_delete(customer) -> None:
    order = await customer.place()
    listed = await customer.http.get("/v1/orders", params={"customer_id": order["customer_id"]})
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["items"]] == [order["id"]]
    by_status = await customer.http.get("/v1/orders", params={"status": "created", "limit": 1})
    assert by_status.json()["limit"] == 1 and len(by_status.json()["items"]) == 1
    assert (await customer.http.delete(f"/v1/orders/{order['id']}")).status_code == 204
    assert (await customer.http.get(f"/v1/orders/{order['id']}")).status_code == 404
    assert (await customer.http.delete(f"/v1/orders/{order['id']}")).status_code == 404
    assert (await customer.cancel(str(uuid.uuid4()))).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"customer_id": "nope", "items": [{"product": "Lasagna", "quantity": 1}]},
        {"customer_id": str(uuid.uuid4()), "items": []},
        {"customer_id": str(uuid.uuid4()), "items": [{"product": "Pizza", "quantity": 1}]},
        {
            "customer_id": str(uuid.uuid4()),
            "items": [{"product": "Lasagna", "quantity": 1}],
            "x": 1,
        },
    ],
)
async def test_bad_order_is_422(customer, body) -> None:
    answer = await customer.http.post("/v1/orders", json=body)
    assert answer.status_code == 422
    assert answer.json()["detail"]


async def test_api_key_is_required_and_health_is_open(order_services) -> None:
    base = f"http://127.0.0.1:{order_services[0].port}"
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        assert (await client.get("/v1/orders")).status_code == 401
        assert (await client.get("/v1/orders", headers={"X-API-Key": "x" * 20})).status_code == 401
        health = await client.get("/health")
        assert (await client.get("/health/ready")).status_code == 200
    report = health.json()
    assert report["status"] == "pass", report
    assert {"mongodb", "rabbitmq", "redis", "consumer", "outbox-relay", "charge-sweep"} <= set(
        report["checks"]
    )
    assert "PaymentService" in report["checks"]


async def test_order_service_keeps_working_when_redis_is_down(
    env, payment_service, order_services, card_company, private_state: Path, tmp_path_factory
) -> None:
    redis_server = RedisServer(name="redis-orders", port=free_port(), state=private_state)
    redis_stack = Stack([redis_server], quiet=True)
    redis_stack.up()
    queue = f"OrderService-redis-{uuid.uuid4().hex[:6]}"
    own_env = {**env, "REDIS_URL": f"redis://127.0.0.1:{redis_server.port}/0", "QUEUE_NAME": queue}
    service_stack, service = start_service("OrderService", tmp_path_factory.mktemp("r"), own_env)
    customer = Customer(f"http://127.0.0.1:{service.port}", TEST_API_KEY)
    try:
        redis_stack.down()
        order = await customer.place()
        assert (await card_company.answer(order["id"], "paymentPaid")).status_code == 201
        assert (await customer.get(order["id"]))["id"] == order["id"]  # read from MongoDB
        assert (await customer.cancel(order["id"])).status_code == 202
        health = await customer.http.get("/health")
        assert health.status_code == 503
        assert health.json()["status"] == "degraded"
        assert health.json()["checks"]["redis"]["status"] == "fail"
        assert "Redis unavailable" in service.log_file.read_text()
    finally:
        await customer.close()
        service_stack.down()
        redis_stack.down()
        await delete_service_queues(env["RABBIT_URL"], queue)


async def test_concurrent_updates_of_one_order_lose_nothing(mongo: MongoEngine) -> None:
    """Two consumers changing one order at once: every change stays (atomic conditional updates)."""

    class NoRelay:
        source = "test"

        def publish_soon(self, document_id, records) -> None:
            pass

    orders = DocumentStore(mongo.db.orders, NoRelay())  # type: ignore[arg-type]
    repository = MongoOrderRepository(orders)
    now = datetime.now(UTC)
    order = Order(str(uuid.uuid4()), "c", [], OrderStatus.CREATED, now, now, [])
    await repository.add(order, order_event(order, "order.created"))
    results = await asyncio.gather(
        repository.transition(order.id, {OrderStatus.CREATED}, OrderStatus.PAYMENT_PAID),
        repository.transition(order.id, {OrderStatus.CREATED}, OrderStatus.PAYMENT_PAID),
        repository.update(order.id, {"distance_km": 3.2}),
        repository.update(order.id, {"estimated_delivery_minutes": 21.0}),
    )
    assert sum(result is not None for result in results[:2]) == 1  # exactly one applied
    stored = await repository.get(order.id)
    assert stored.status == OrderStatus.PAYMENT_PAID
    assert [entry["status"] for entry in stored.history] == ["paymentPaid"]
    assert (stored.distance_km, stored.estimated_delivery_minutes) == (3.2, 21.0)
    assert stored.version == 4  # created 1, + one transition, + two field updates


STEPS = list(pairwise(FULL_HISTORY))


def steps_counted(texts: list[str]) -> list[float]:
    """Each step of FULL_HISTORY as counted, then the number of delivered life times."""
    counted = [
        total(texts, "order_transitions_total", from_status=a, to_status=b) for a, b in STEPS
    ]
    return [*counted, total(texts, "order_life_seconds_count", end_status="delivered")]


async def test_metrics_count_each_step_of_a_delivered_order_once_and_its_life_time(
    customer, card_company, reporter, order_services
) -> None:
    before = steps_counted(await scrape(order_services))
    await drive_to_delivered(customer, card_company, reporter)
    expected = [count + 1 for count in before]
    now: list[float] = []

    async def all_counted() -> bool:
        now[:] = steps_counted(await scrape(order_services))
        return all(a >= b for a, b in zip(now, expected, strict=True))

    await wait_for(all_counted, what=f"every step counted: {STEPS}")
    assert now == expected  # each once: by one instance or the other, never by both


async def test_metrics_count_reading_a_cached_order_as_a_hit(customer, order_services) -> None:
    order = await customer.place()
    first = order_services[:1]  # the instance the customer talks to
    before = total(await scrape(first), "order_cache_requests_total", result="hit")
    assert (await customer.get(order["id"]))["id"] == order["id"]
    assert total(await scrape(first), "order_cache_requests_total", result="hit") == before + 1


async def test_every_instance_sets_the_stuck_gauge_of_every_status_an_order_waits_in(
    order_services,
) -> None:
    waiting = {status.value for status in set(OrderStatus) - FINAL}

    async def gauges_set() -> bool:
        texts = await scrape(order_services)
        shown = [{labels["status"] for labels, _ in samples(t, "orders_stuck")} for t in texts]
        return all(statuses == waiting for statuses in shown)

    await wait_for(gauges_set, what=f"orders_stuck for each of {sorted(waiting)}")
