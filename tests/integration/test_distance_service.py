"""DistanceService as a real process on the real stack and the CustomerService mock; the tests
play OrderService's `order.created` (and, at the end, run the real OrderService beside it)."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aio_pika
import pytest

from devstack.parts import ServiceProcess
from DistanceService.business.calculation import estimate
from DistanceService.business.models import Coordinates
from servicekit.broker import BrokerConnection, EventPublisher
from servicekit.mongo import MongoEngine
from servicekit.outbox import PENDING, UNROUTABLE, count_pending
from servicekit.service_urls import ServiceUrlCache
from servicekit.settings import ServiceSettings
from simulator.parties import Customer
from tests.conftest import TEST_API_KEY
from tests.integration.conftest import free_port, wait_for
from tests.integration.services import (
    EventWatcher,
    api,
    delete_service_queues,
    service_env,
    start_service,
    watch_events,
)

pytestmark = pytest.mark.integration

RESTAURANT = Coordinates(59.3326, 18.0649)  # the default setting
# The CustomerService mock answers its spec's example for every customer: Drottninggatan 53,
# about 260 m from the restaurant.
MOCK_ADDRESS = Coordinates(59.3343, 18.0617)
EXPECTED = {"distance_km": 0.3, "estimated_delivery_minutes": 16}  # 15 min + 0.3 km at 30 km/h


@pytest.fixture(scope="module")
def exchange() -> str:
    return f"test-distances-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def queue_name() -> str:
    return f"DistanceService-{uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="module")
async def service_urls(service_urls: ServiceUrlCache) -> ServiceUrlCache:
    urls = service_urls
    # OrderService (end-to-end test) must not charge through whatever answers on 8001.
    await urls.register("PaymentService", f"http://127.0.0.1:{free_port()}")
    return urls


@pytest.fixture(scope="module")
def distance_service(
    settings: ServiceSettings, exchange: str, queue_name: str, service_urls, tmp_path_factory
) -> Iterator[ServiceProcess]:
    env = service_env(settings, exchange, QUEUE_NAME=queue_name)
    stack, part = start_service("DistanceService", tmp_path_factory.mktemp("distance"), env)
    yield part
    stack.down()
    asyncio.run(delete_service_queues(settings.rabbit_url, queue_name, exchange=exchange))


@pytest.fixture
async def publisher(
    settings: ServiceSettings, exchange: str, distance_service: ServiceProcess
) -> AsyncIterator[EventPublisher]:
    """Publishes to the module's exchange as OrderService would (confirmed and mandatory)."""
    broker = BrokerConnection(settings.rabbit_url, exchange, "tests")
    await broker.connect()
    yield EventPublisher(broker)
    await broker.close()


@pytest.fixture
async def events(
    settings: ServiceSettings, exchange: str, mongo: MongoEngine
) -> AsyncIterator[EventWatcher]:
    """Every event on the module's exchange (bound to "#": the test's own `order.created` and
    whatever the services publish); afterwards nothing the test caused is left unsent."""
    async with watch_events(settings.rabbit_url, exchange, "#") as watcher:
        yield watcher
        await wait_for(
            lambda: _nothing_pending(mongo, exchange), what="every outbox record published"
        )


async def _nothing_pending(mongo: MongoEngine, exchange: str) -> bool:
    """Nothing of this module's DistanceService left unsent (other modules' services have
    records of their own in the same database)."""
    return await count_pending(mongo.db.distances, [f"DistanceService@{exchange}"]) == 0


def order_created(order_id: str, customer_id: str) -> dict[str, Any]:
    """The body OrderService publishes with `order.created`."""
    return {
        "status": "created",
        "metadata": {"receiver": "*", "order_id": order_id, "customer_id": customer_id},
        "items": [{"product": "Lasagna", "quantity": 1}],
        "message_id": str(uuid.uuid4()),
        "sent_at": "2026-11-22T12:00:00+00:00",
    }


async def place(publisher: EventPublisher) -> tuple[str, str]:
    order_id, customer_id = str(uuid.uuid4()), str(uuid.uuid4())
    await publisher.publish("order.created", order_created(order_id, customer_id))
    return order_id, customer_id


async def events_for(events: EventWatcher, order_id: str) -> list[dict[str, Any]]:
    """The order's `distance.calculated` events received so far."""
    await events.drain()
    return [
        body
        for key, body in events.received
        if key == "distance.calculated" and body["metadata"]["order_id"] == order_id
    ]


async def all_published(mongo: MongoEngine, order_id: str) -> bool:
    """The order's distance document holds no event left to publish."""
    stored = await mongo.db.distances.find_one({"_id": order_id})
    return stored is not None and PENDING not in stored and UNROUTABLE not in stored


async def the_event_for(events: EventWatcher, order_id: str) -> dict[str, Any]:
    async def arrived() -> bool:
        return bool(await events_for(events, order_id))

    await wait_for(arrived, timeout_s=15, what=f"distance.calculated for order {order_id}")
    [body] = await events_for(events, order_id)
    return body


def test_the_expected_numbers_follow_from_the_calculation() -> None:
    result = estimate(RESTAURANT, MOCK_ADDRESS, preparation_minutes=15, speed_kmh=30)
    assert {
        "distance_km": result.distance_km,
        "estimated_delivery_minutes": result.estimated_delivery_minutes,
    } == EXPECTED


async def test_order_created_publishes_one_distance_calculated_and_stores_it(
    publisher: EventPublisher, events: EventWatcher, mongo: MongoEngine
) -> None:
    order_id, customer_id = await place(publisher)
    body = await the_event_for(events, order_id)
    assert body["status"] == "calculated"
    assert body["metadata"] == {
        "receiver": "OrderService",
        "order_id": order_id,
        "customer_id": customer_id,
    }
    assert {key: body[key] for key in EXPECTED} == EXPECTED
    assert body["message_id"] and body["sent_at"]
    stored = await mongo.db.distances.find_one({"_id": order_id})
    assert stored is not None
    assert stored["order_id"] == order_id and stored["customer_id"] == customer_id
    assert (stored["latitude"], stored["longitude"]) == (59.3343, 18.0617)
    assert {key: stored[key] for key in EXPECTED} == EXPECTED
    assert stored["calculated_at"]
    # Once the document's outbox is empty, everything DistanceService published for the order
    # is in the watcher's queue (bound to every key): only the test's order.created and one
    # distance.calculated may be there.
    await wait_for(lambda: all_published(mongo, order_id), what="the order's events published")
    received = [(key, body["metadata"]["order_id"]) for key, body in await events.drain()]
    assert received == [("order.created", order_id), ("distance.calculated", order_id)]


async def test_repeated_order_created_publishes_no_second_event(
    publisher: EventPublisher,
    events: EventWatcher,
    mongo: MongoEngine,
    distance_service: ServiceProcess,
) -> None:
    order_id, customer_id = await place(publisher)
    await the_event_for(events, order_id)
    await publisher.publish("order.created", order_created(order_id, customer_id))

    def repeat_handled() -> bool:
        lines = Path(distance_service.log_file).read_text().splitlines()
        return any(order_id in line and "already calculated" in line for line in lines)

    await wait_for(repeat_handled, what="the repeated order.created to be handled")
    assert await mongo.db.distances.count_documents({"_id": order_id}) == 1

    await wait_for(
        lambda: all_published(mongo, order_id), what="the one event to be marked published"
    )
    assert len(await events_for(events, order_id)) == 1


async def test_get_distance_of_an_order(
    publisher: EventPublisher, events: EventWatcher, distance_service: ServiceProcess
) -> None:
    order_id, customer_id = await place(publisher)
    await the_event_for(events, order_id)
    async with api(distance_service) as client:
        found = await client.get(f"/v1/distances/{order_id}")
        unknown = await client.get(f"/v1/distances/{uuid.uuid4()}")
        not_a_uuid = await client.get("/v1/distances/not-a-uuid")
    assert found.status_code == 200, found.text
    view = found.json()
    assert view["order_id"] == order_id and view["customer_id"] == customer_id
    assert (view["latitude"], view["longitude"]) == (59.3343, 18.0617)
    assert {key: view[key] for key in EXPECTED} == EXPECTED
    assert view["calculated_at"]
    assert unknown.status_code == 404
    assert "no distance" in unknown.json()["detail"]
    assert not_a_uuid.status_code == 422


async def test_estimate_for_any_place(distance_service: ServiceProcess) -> None:
    async with api(distance_service) as client:
        near = await client.get("/v1/distance", params={"latitude": 59.3343, "longitude": 18.0617})
        far = await client.get("/v1/distance", params={"latitude": 57.7089, "longitude": 11.9746})
    assert near.status_code == 200, near.text
    assert near.json() == {**EXPECTED, "restaurant": {"latitude": 59.3326, "longitude": 18.0649}}
    gothenburg = far.json()
    assert 395 < gothenburg["distance_km"] < 401
    assert gothenburg["estimated_delivery_minutes"] == round(
        15 + gothenburg["distance_km"] / 30 * 60
    )


@pytest.mark.parametrize(
    "params",
    [
        {"latitude": 90.1, "longitude": 18.0},
        {"latitude": -91, "longitude": 18.0},
        {"latitude": 59.3, "longitude": 180.5},
        {"latitude": 59.3, "longitude": -181},
        {"longitude": 18.0},
        {"latitude": 59.3},
        {"latitude": "north", "longitude": 18.0},
        {"latitude": "nan", "longitude": 18.0},
        {"latitude": 59.3, "longitude": "inf"},
    ],
)
async def test_estimate_for_a_bad_place_is_422(distance_service: ServiceProcess, params) -> None:
    async with api(distance_service) as client:
        answer = await client.get("/v1/distance", params=params)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"][0] == "query"


@pytest.mark.parametrize("key", [None, "wrong-key-0123456789"])
async def test_wrong_or_missing_api_key_is_401(distance_service: ServiceProcess, key) -> None:
    async with api(distance_service, key=key) as client:
        for path in (f"/v1/distances/{uuid.uuid4()}", "/v1/distance?latitude=59&longitude=18"):
            answer = await client.get(path)
            assert answer.status_code == 401, path
            assert "X-API-Key" in answer.json()["detail"]


async def test_health_reports_every_resource_and_the_docs_are_served(
    distance_service: ServiceProcess, queue_name: str
) -> None:
    async with api(distance_service, key=None) as client:
        report = await client.get("/health")
        ready = await client.get("/health/ready")
        live = await client.get("/health/live")
        openapi = await client.get("/openapi.json")
        swagger = await client.get("/docs")
    assert report.status_code == 200, report.text
    assert report.json()["service"] == "DistanceService"
    assert report.json()["status"] == "pass"
    assert set(report.json()["checks"]) == {
        "mongodb",
        "rabbitmq",
        "redis",
        "consumer",
        "outbox-relay",
        "CustomerService",
    }
    assert ready.status_code == live.status_code == swagger.status_code == 200
    assert set(ready.json()["checks"]) == {"mongodb", "rabbitmq", "consumer", "outbox-relay"}
    assert {"/v1/distances/{order_id}", "/v1/distance"} <= set(openapi.json()["paths"])


async def dead_letter_for(settings: ServiceSettings, queue: str, order_id: str) -> dict[str, Any]:
    """Wait for the order's message in `<queue>.dead` and return its headers."""
    connection = await aio_pika.connect(settings.rabbit_url)
    try:
        channel = await connection.channel()
        dead = await channel.declare_queue(f"{queue}.dead", passive=True)
        found: dict[str, Any] = {}

        async def arrived() -> bool:
            message = await dead.get(fail=False, no_ack=True)
            if message is not None and order_id.encode() in message.body:
                found.update(message.headers)
            return bool(found)

        await wait_for(arrived, timeout_s=15, what=f"order {order_id} in {queue}.dead")
        return found
    finally:
        await connection.close()


async def test_customer_service_down_retries_then_dead_letters_and_stores_nothing(
    publisher: EventPublisher,
    service_urls: ServiceUrlCache,
    settings: ServiceSettings,
    mongo: MongoEngine,
    queue_name: str,
) -> None:
    await service_urls.register("CustomerService", f"http://127.0.0.1:{free_port()}")
    try:
        order_id, _ = await place(publisher)
        headers = await dead_letter_for(settings, queue_name, order_id)
    finally:
        await service_urls.register("CustomerService", settings.service_urls["CustomerService"])
    reason = headers["x-death-reason"]
    assert reason.startswith("UpstreamUnavailable: CustomerService"), reason
    assert reason.endswith("(after 2 retries)"), reason
    assert headers["x-original-routing-key"] == "order.created"
    assert await mongo.db.distances.count_documents({"_id": order_id}) == 0


async def test_order_created_without_uuid_ids_is_dead_lettered_at_once(
    publisher: EventPublisher, settings: ServiceSettings, mongo: MongoEngine, queue_name: str
) -> None:
    order_id = f"not-a-uuid-{uuid.uuid4().hex[:6]}"
    await publisher.publish("order.created", order_created(order_id, str(uuid.uuid4())))
    headers = await dead_letter_for(settings, queue_name, order_id)
    assert headers["x-death-reason"].startswith("malformed:")
    assert await mongo.db.distances.count_documents({"_id": order_id}) == 0


@pytest.fixture
def order_service(
    settings: ServiceSettings, exchange: str, distance_service: ServiceProcess, tmp_path_factory
) -> Iterator[ServiceProcess]:
    queue = f"OrderService-{uuid.uuid4().hex[:6]}"
    env = service_env(settings, exchange, QUEUE_NAME=queue)
    stack, part = start_service("OrderService", tmp_path_factory.mktemp("orders"), env)
    yield part
    stack.down()
    asyncio.run(delete_service_queues(settings.rabbit_url, queue))


async def test_order_placed_on_order_service_gets_its_distance(
    order_service: ServiceProcess, events: EventWatcher, mongo: MongoEngine
) -> None:
    customer = Customer(f"http://127.0.0.1:{order_service.port}", TEST_API_KEY)
    try:
        order = await customer.place()

        async def has_distance() -> bool:
            return (await customer.get(order["id"]))["distance_km"] is not None

        await wait_for(has_distance, timeout_s=15, what="the order to show its distance")
        shown = await customer.get(order["id"])
    finally:
        await customer.close()
    assert {key: shown[key] for key in EXPECTED} == EXPECTED
    assert shown["status"] == "created"  # the order workflow does not wait for the distance
    stored = await mongo.db.distances.find_one({"_id": order["id"]})
    assert stored["customer_id"] == order["customer_id"]
    assert len(await events_for(events, order["id"])) == 1
