"""OrderService's use cases with fakes: what each request and event does, and what it must not."""

import asyncio

import pytest

from OrderService.business.cancel import cancel_order
from OrderService.business.charge_progress import ChargeProgress
from OrderService.business.errors import (
    CancelTooLate,
    IdempotencyConflict,
    NotReadyYet,
    OrderNotFound,
)
from OrderService.business.models import PlaceOrder
from OrderService.business.place import place_order
from OrderService.business.queries import delete_order, get_order
from OrderService.business.state_machine import OrderStatus
from OrderService.web.events import event_routes
from servicekit.broker import InboundMessage, subscriber
from servicekit.contracts import status_event
from tests.unit.order.world import ITEMS, World

S = OrderStatus


@pytest.fixture
def world() -> World:
    return World()


async def test_placing_stores_the_order_with_order_created_and_queues_its_charge(world) -> None:
    order = await world.place()
    assert world.status(order.id) == S.CREATED
    assert world.events() == ["order.created"]
    assert [queued.id for queued in world.charges.queued] == [order.id]
    assert world.cache.orders[order.id].status == S.CREATED


async def test_an_order_is_charged_once(world) -> None:
    order_id = await world.placed()
    assert world.payments.charged == [order_id]
    assert world.order(order_id).charge == ChargeProgress.SENT
    await world.charge_again(order_id)  # the sweep finding it again charges nothing
    assert world.payments.charged == [order_id]


async def test_same_idempotency_key_gives_the_same_order_and_queues_one_charge(world) -> None:
    first = await place_order(PlaceOrder("c1", ITEMS, "key-1"), world.orders, world.charges)
    second = await place_order(PlaceOrder("c1", ITEMS, "key-1"), world.orders, world.charges)
    assert first.order.id == second.order.id and first.is_new and not second.is_new
    assert len(world.charges.queued) == 1
    with pytest.raises(IdempotencyConflict):
        await place_order(PlaceOrder("c2", ITEMS, "key-1"), world.orders, world.charges)


async def test_refused_charge_ends_in_payment_failed_with_the_reason(world) -> None:
    world.payments.refuse = "customer not found"
    order = world.order(await world.placed())
    assert order.status == S.PAYMENT_FAILED and order.charge == ChargeProgress.REFUSED
    assert order.failure_reason == "customer not found"


async def test_payment_service_down_delays_the_charge_without_losing_it(world) -> None:
    world.payments.down = True
    order_id = await world.placed()
    assert world.status(order_id) == S.CREATED
    assert world.order(order_id).charge == ChargeProgress.PENDING
    assert len(world.stored.charge_retries) == 1
    world.payments.down = False
    await world.charge_again(order_id)
    assert world.payments.charged == [order_id]


async def test_an_order_cancelled_before_its_charge_was_sent_is_not_charged(world) -> None:
    world.payments.down = True
    order_id = await world.placed()
    await cancel_order(order_id, world.orders)
    world.payments.down = False
    await world.charge_again(order_id)
    assert world.payments.charged == []
    assert world.order(order_id).charge == ChargeProgress.SKIPPED


async def test_full_life_books_delivery_and_kitchen_and_records_the_history(world) -> None:
    order_id = await world.placed()
    await world.advance(
        order_id, S.PAYMENT_PAID, S.DRIVER_AVAILABLE, S.COOKING_MEAL, S.COOKING_DONE,
        S.PICKED_UP, S.IN_TRANSIT, S.DELIVERED,
    )  # fmt: skip
    order = world.order(order_id)
    assert order.status == S.DELIVERED
    assert order.delivery_id == "delivery-1" and order.kitchen_id == "kitchen-1"
    assert world.history(order_id) == [
        "created", "paymentPaid", "deliveryScheduled", "driverAvailable", "cookingScheduled",
        "cookingMeal", "cookingDone", "pickedUp", "inTransit", "delivered",
    ]  # fmt: skip
    assert world.cache.orders[order_id].status == S.DELIVERED


async def test_duplicate_payment_paid_books_one_delivery(world) -> None:
    order_id = await world.placed()
    await world.advance(order_id, S.PAYMENT_PAID, S.PAYMENT_PAID)
    assert world.deliveries.booked == [order_id]
    assert world.history(order_id).count("paymentPaid") == 1


async def test_two_instances_handling_one_payment_paid_keep_the_one_delivery(world) -> None:
    """With the Idempotency-Key both get the same booking back: the one that loses the race
    must not cancel it (it is the order's delivery)."""
    order_id = await world.placed()
    other_instance = subscriber(event_routes(world.ports))  # its own per-order locks
    event = status_event("payment.paymentPaid", "OrderService", order_id, "c1")
    message = InboundMessage(event.routing_key, event.body)
    await asyncio.gather(world.handle(message), other_instance(message))
    assert world.status(order_id) == S.DELIVERY_SCHEDULED
    assert world.order(order_id).delivery_id == "delivery-1"
    assert world.deliveries.cancelled == []


async def test_a_redelivered_event_heals_a_cached_copy_left_behind(world) -> None:
    """A process stopped between storing a change and caching it left an older copy."""
    order_id = await world.placed()
    stale = world.cache.orders[order_id]
    await world.advance(order_id, S.PAYMENT_PAID)
    world.cache.orders[order_id] = stale  # the cache write that never happened
    await world.advance(order_id, S.PAYMENT_PAID)  # the broker delivers the event again
    assert (await get_order(order_id, world.orders)).status == S.DELIVERY_SCHEDULED


async def test_an_event_before_its_turn_waits_and_changes_nothing(world) -> None:
    order_id = await world.placed()
    with pytest.raises(NotReadyYet):
        await world.advance(order_id, S.IN_TRANSIT)
    assert world.history(order_id) == ["created"]


async def test_a_late_event_is_ignored(world) -> None:
    order_id = await world.placed()
    await world.advance(
        order_id, S.PAYMENT_PAID, S.DRIVER_AVAILABLE, S.COOKING_MEAL, S.COOKING_DONE
    )
    await world.advance(order_id, S.COOKING_MEAL, S.DRIVER_AVAILABLE)
    assert world.status(order_id) == S.COOKING_DONE
    assert world.kitchen.booked == [order_id]


async def test_cancel_before_payment_stores_order_cancelled_and_reimburses_nothing(world) -> None:
    order_id = await world.placed()
    cancelled = await cancel_order(order_id, world.orders)
    assert cancelled.status == S.ORDER_CANCELLED
    assert world.events() == ["order.created", "order.cancelled"]
    await world.cancelled_event_handled(order_id)
    assert world.payments.reimbursed == [] and world.deliveries.cancelled == []


async def test_payment_confirmed_after_the_cancel_is_reimbursed_once(world) -> None:
    order_id = await world.placed()
    await cancel_order(order_id, world.orders)
    await world.advance(order_id, S.PAYMENT_PAID, S.PAYMENT_PAID)
    assert world.payments.reimbursed == [order_id]
    assert world.deliveries.booked == []  # no driver for a cancelled order
    await world.advance(order_id, S.REIMBURSED)
    assert world.history(order_id) == ["created", "orderCancelled", "reimbursed"]


async def test_cancel_after_delivery_booked_cancels_it_and_reimburses(world) -> None:
    order_id = await world.placed()
    await world.advance(order_id, S.PAYMENT_PAID)
    await cancel_order(order_id, world.orders)
    await world.cancelled_event_handled(order_id)
    await world.cancelled_event_handled(order_id)  # a redelivered event changes nothing
    assert world.deliveries.cancelled == ["delivery-1"]
    assert world.payments.reimbursed == [order_id]


async def test_a_booking_the_company_cannot_cancel_is_shown_and_the_money_given_back(
    world,
) -> None:
    world.deliveries.no_cancel = "DeliveryService offers no cancel endpoint"
    order_id = await world.placed()
    await world.advance(order_id, S.PAYMENT_PAID)
    await cancel_order(order_id, world.orders)
    await world.cancelled_event_handled(order_id)
    await world.cancelled_event_handled(order_id)  # a redelivered event changes nothing
    order = world.order(order_id)
    assert order.delivery_not_cancelled == "DeliveryService offers no cancel endpoint"
    assert order.delivery_cancelled is False and order.delivery_id == "delivery-1"
    assert world.payments.reimbursed == [order_id]


async def test_cancel_after_driver_available_is_refused_and_reimburses_nothing(world) -> None:
    order_id = await world.placed()
    await world.advance(order_id, S.PAYMENT_PAID, S.DRIVER_AVAILABLE)
    with pytest.raises(CancelTooLate):
        await cancel_order(order_id, world.orders)
    assert world.status(order_id) == S.COOKING_SCHEDULED
    assert world.payments.reimbursed == []
    assert world.events() == ["order.created"]


async def test_a_late_driver_does_not_bring_a_cancelled_order_back(world) -> None:
    order_id = await world.placed()
    await cancel_order(order_id, world.orders)
    await world.advance(order_id, S.DRIVER_AVAILABLE, S.DELIVERED)
    assert world.status(order_id) == S.ORDER_CANCELLED
    assert world.kitchen.booked == []


async def test_get_reads_the_cache_first_and_delete_removes_it(world) -> None:
    order_id = await world.placed()
    world.stored.items[order_id].status = S.DELIVERED  # only the cache would not know
    assert (await get_order(order_id, world.orders)).status == S.CREATED
    await delete_order(order_id, world.orders)
    assert order_id not in world.cache.orders
    with pytest.raises(OrderNotFound):
        await get_order(order_id, world.orders)
    with pytest.raises(OrderNotFound):
        await delete_order(order_id, world.orders)


async def test_distance_is_added_without_touching_the_status(world) -> None:
    order_id = await world.placed()
    event = status_event("distance.calculated", "OrderService", order_id, "c1",
                         distance_km=12.5, estimated_delivery_minutes=38.0)  # fmt: skip
    await world.handle(InboundMessage(event.routing_key, event.body))
    order = world.order(order_id)
    assert (order.distance_km, order.estimated_delivery_minutes, order.status) == (
        12.5,
        38.0,
        S.CREATED,
    )


async def test_cancelling_again_answers_with_the_cancelled_order(world) -> None:
    order_id = await world.placed()
    first = await cancel_order(order_id, world.orders)
    await world.advance(order_id, S.PAYMENT_PAID)
    await world.advance(order_id, S.REIMBURSED)
    again = await cancel_order(order_id, world.orders)
    assert first.status == S.ORDER_CANCELLED and again.status == S.REIMBURSED
    assert world.events().count("order.cancelled") == 1


async def test_a_charge_that_cannot_be_sent_for_too_long_ends_in_payment_failed() -> None:
    world = World(max_charge_attempts=3)
    world.payments.down = True
    order_id = await world.placed()
    await world.charge_again(order_id)
    assert world.status(order_id) == S.CREATED  # two attempts: still retrying
    await world.charge_again(order_id)
    order = world.order(order_id)
    assert order.status == S.PAYMENT_FAILED and order.charge == ChargeProgress.REFUSED
    assert order.failure_reason.startswith("payment could not be requested")
