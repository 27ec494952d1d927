"""Each event handler tells whether it ignored its event (False: a duplicate, a late event, an
unknown order; the consumer counts it `ignored`) or handled it (True)."""

import uuid

import pytest

from OrderService.business.cancel import cancel_order
from OrderService.business.state_machine import OrderStatus
from servicekit.contracts import status_event
from tests.unit.order.world import World

S = OrderStatus
DISTANCE = {"distance_km": 3.0, "estimated_delivery_minutes": 25.0}


@pytest.fixture
def world() -> World:
    return World()


async def handled(world: World, key: str, order_id: str, **extra: float) -> object:
    """What the route's use case answers for the event, as the typed subscriber calls it."""
    route = world.routes[key]
    event = status_event(key, "OrderService", order_id, "c1", **extra)
    return await route.handle(route.model.model_validate(event.body))


async def test_a_status_applied_answers_true_and_its_duplicate_false(world) -> None:
    order_id = await world.placed()
    assert await handled(world, "payment.paymentPaid", order_id) is True
    assert await handled(world, "payment.paymentPaid", order_id) is False
    assert world.deliveries.booked == [order_id]


async def test_a_late_event_and_one_for_an_unknown_order_answer_false(world) -> None:
    order_id = await world.placed()
    await world.advance(order_id, S.PAYMENT_PAID, S.DRIVER_AVAILABLE, S.COOKING_MEAL)
    assert await handled(world, "delivery.driverAvailable", order_id) is False
    assert await handled(world, "kitchen.cookingMeal", str(uuid.uuid4())) is False
    assert world.status(order_id) == S.COOKING_MEAL


async def test_a_redelivered_event_whose_follow_up_did_not_finish_answers_true(world) -> None:
    order_id = await world.placed()
    await world.orders.transition(order_id, {S.CREATED}, S.PAYMENT_PAID)  # booking never ran
    assert await handled(world, "payment.paymentPaid", order_id) is True
    assert world.status(order_id) == S.DELIVERY_SCHEDULED


async def test_a_payment_after_the_cancel_is_given_back_and_answers_true(world) -> None:
    order_id = await world.placed()
    await cancel_order(order_id, world.orders)
    assert await handled(world, "payment.paymentPaid", order_id) is True
    assert world.payments.reimbursed == [order_id]


async def test_order_cancelled_is_ignored_unless_the_order_is_cancelled(world) -> None:
    order_id = await world.placed()
    assert await handled(world, "order.cancelled", order_id) is False  # not cancelled
    assert await handled(world, "order.cancelled", str(uuid.uuid4())) is False  # unknown
    await cancel_order(order_id, world.orders)
    assert await handled(world, "order.cancelled", order_id) is True


async def test_a_distance_for_an_unknown_order_answers_false(world) -> None:
    order_id = await world.placed()
    assert await handled(world, "distance.calculated", order_id, **DISTANCE) is True
    assert await handled(world, "distance.calculated", str(uuid.uuid4()), **DISTANCE) is False
    assert world.order(order_id).distance_km == 3.0
