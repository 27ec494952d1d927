"""The event table: `order.created` reaches its use case; anything else is refused as malformed."""

import uuid
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from DistanceService.bootstrap import DistancePorts
from DistanceService.business.distances import Restaurant
from DistanceService.business.models import Coordinates
from DistanceService.web.events import event_routes
from OrderService.business.cancel import cancel_order
from servicekit.broker import InboundMessage, MalformedMessage, subscriber
from servicekit.outbox import event_record
from tests.unit.distance.fakes import FakeCustomers, FakeDistanceRepository
from tests.unit.order.world import World


def order_created(order_id: str, customer_id: str | None = None) -> dict:
    return {
        "status": "created",
        "metadata": {
            "receiver": "*",
            "order_id": order_id,
            "customer_id": customer_id or str(uuid.uuid4()),
        },
        "items": [{"product": "Lasagna", "quantity": 1}],
        "message_id": str(uuid.uuid4()),
        "sent_at": "2026-11-22T10:00:00+00:00",
    }


@pytest.fixture
def repository() -> FakeDistanceRepository:
    return FakeDistanceRepository()


ROUTES = event_routes(
    DistancePorts(
        FakeDistanceRepository(), FakeCustomers(), Restaurant(Coordinates(59.3, 18.0), 15, 30)
    )
)


@pytest.fixture
def handle(repository):
    restaurant = Restaurant(Coordinates(59.3326, 18.0649), 15, 30)
    return subscriber(event_routes(DistancePorts(repository, FakeCustomers(), restaurant)))


async def test_the_queue_is_bound_only_to_the_event_of_a_new_order(handle, repository) -> None:
    """OrderService's own use cases place and cancel an order; the event it stores for the new
    order, as the outbox publishes it, is the only one the queue is bound to, and is calculated."""
    orders = World()
    order = await orders.place(customer_id=str(uuid.uuid4()))
    await cancel_order(order.id, orders.orders)
    placed, cancelled = (event_record(event, datetime.now(UTC)) for event in orders.stored.events)

    assert set(ROUTES) == {placed["routing_key"]}
    assert cancelled["routing_key"] not in ROUTES
    await handle(InboundMessage(placed["routing_key"], placed["body"]))
    assert list(repository.calculations) == [order.id]


async def test_order_created_is_calculated(handle, repository) -> None:
    order_id = str(uuid.uuid4())
    await handle(InboundMessage("order.created", order_created(order_id)))
    assert list(repository.calculations) == [order_id]


async def test_order_created_sent_to_the_queue_by_name_is_routed_by_its_status(
    handle, repository
) -> None:
    order_id = str(uuid.uuid4())
    await handle(InboundMessage("DistanceService", order_created(order_id)))
    assert list(repository.calculations) == [order_id]


@pytest.mark.parametrize(
    "body",
    [
        {"status": "created"},
        {"status": "created", "metadata": None},
        order_created("not-a-uuid"),
        order_created(str(uuid.uuid4()), customer_id="../../admin"),
    ],
)
async def test_message_without_usable_ids_is_malformed(handle, repository, body) -> None:
    with pytest.raises(ValidationError):  # the consumer dead-letters these at once
        await handle(InboundMessage("order.created", body))
    assert repository.calculations == {}


async def test_unknown_routing_key_and_status_is_malformed(handle) -> None:
    body = {**order_created(str(uuid.uuid4())), "status": "cookingDone"}
    with pytest.raises(MalformedMessage):
        await handle(InboundMessage("kitchen.cookingDone", body))
