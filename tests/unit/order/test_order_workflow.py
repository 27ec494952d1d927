"""The order workflow with fakes: what each request and event does, and what it must not do."""

import asyncio

import pytest

from OrderService.business.errors import (
    CancelTooLate,
    IdempotencyConflict,
    NotReadyYet,
    OrderNotFound,
)
from OrderService.business.orders import OrderWorkflow
from OrderService.business.state_machine import OrderStatus
from tests.unit.order.fakes import (
    FakeCache,
    FakeCustomers,
    FakeDeliveries,
    FakeKitchen,
    FakeOrderRepository,
    FakePayments,
)

S = OrderStatus
ITEMS = [{"product": "Lasagna", "quantity": 1}]


class World:
    def __init__(self) -> None:
        self.repository = FakeOrderRepository()
        self.cache = FakeCache()
        self.payments = FakePayments()
        self.deliveries = FakeDeliveries()
        self.kitchen = FakeKitchen()
        self.workflow = OrderWorkflow(
            self.repository,
            self.cache,
            self.payments,
            FakeCustomers(),
            self.deliveries,
            self.kitchen,
        )

    async def placed(self, key: str | None = None) -> str:
        order, _ = await self.workflow.place("c1", ITEMS, key)
        await self.workflow.charge(order.id)
        return order.id

    async def advance(self, order_id: str, *statuses: OrderStatus) -> None:
        for status in statuses:
            await self.workflow.apply_status(order_id, status)

    def status(self, order_id: str) -> OrderStatus:
        return self.repository.orders[order_id].status

    def history(self, order_id: str) -> list[str]:
        return [entry["status"] for entry in self.repository.orders[order_id].history]


@pytest.fixture
def world() -> World:
    return World()


async def test_placing_stores_the_order_with_order_created_and_charges_it_once(world) -> None:
    order_id = await world.placed()
    assert world.status(order_id) == S.CREATED
    assert [e.routing_key for e in world.repository.events] == ["order.created"]
    assert world.payments.charged == [order_id]
    await world.workflow.charge(order_id)  # the sweep finding it again charges nothing
    assert world.payments.charged == [order_id]
    assert world.cache.orders[order_id].status == S.CREATED


async def test_same_idempotency_key_gives_the_same_order(world) -> None:
    first, new_first = await world.workflow.place("c1", ITEMS, "key-1")
    second, new_second = await world.workflow.place("c1", ITEMS, "key-1")
    assert first.id == second.id and new_first and not new_second
    with pytest.raises(IdempotencyConflict):
        await world.workflow.place("c2", ITEMS, "key-1")


async def test_refused_charge_ends_in_payment_failed_with_the_reason(world) -> None:
    world.payments.refuse = "customer not found"
    order_id = await world.placed()
    order = world.repository.orders[order_id]
    assert order.status == S.PAYMENT_FAILED
    assert order.failure_reason == "customer not found"


async def test_payment_service_down_delays_the_charge_without_losing_it(world) -> None:
    world.payments.down = True
    order_id = await world.placed()
    assert world.status(order_id) == S.CREATED
    assert world.repository.orders[order_id].charge == "pending"
    assert len(world.repository.charge_retries) == 1
    world.payments.down = False
    await world.workflow.charge(order_id)
    assert world.payments.charged == [order_id]


async def test_full_life_books_delivery_and_kitchen_and_records_the_history(world) -> None:
    order_id = await world.placed()
    await world.advance(
        order_id, S.PAYMENT_PAID, S.DRIVER_AVAILABLE, S.COOKING_MEAL, S.COOKING_DONE,
        S.PICKED_UP, S.IN_TRANSIT, S.DELIVERED,
    )  # fmt: skip
    order = world.repository.orders[order_id]
    assert order.status == S.DELIVERED
    assert order.delivery_id == "delivery-1" and order.kitchen_id == "kitchen-1"
    assert world.history(order_id) == [
        "created", "paymentPaid", "deliveryScheduled", "driverAvailable", "cookingScheduled",
        "cookingMeal", "cookingDone", "pickedUp", "inTransit", "delivered",
    ]  # fmt: skip


async def test_duplicate_payment_paid_books_one_delivery(world) -> None:
    order_id = await world.placed()
    await world.advance(order_id, S.PAYMENT_PAID, S.PAYMENT_PAID)
    assert world.deliveries.booked == [order_id]
    assert world.history(order_id).count("paymentPaid") == 1


async def test_two_instances_handling_one_payment_paid_keep_the_one_delivery(world) -> None:
    """With the Idempotency-Key both get the same booking back: the one that loses the race
    must not cancel it (it is the order's delivery)."""
    order_id = await world.placed()
    await asyncio.gather(
        world.workflow.apply_status(order_id, S.PAYMENT_PAID),
        world.workflow.apply_status(order_id, S.PAYMENT_PAID),
    )
    assert world.status(order_id) == S.DELIVERY_SCHEDULED
    assert world.repository.orders[order_id].delivery_id == "delivery-1"
    assert world.deliveries.cancelled == []


async def test_a_redelivered_event_heals_a_cached_copy_left_behind(world) -> None:
    """A process stopped between storing a change and caching it left an older copy."""
    order_id = await world.placed()
    stale = world.cache.orders[order_id]
    await world.advance(order_id, S.PAYMENT_PAID)
    world.cache.orders[order_id] = stale  # the cache write that never happened
    await world.advance(order_id, S.PAYMENT_PAID)  # the broker delivers the event again
    assert (await world.workflow.get(order_id)).status == S.DELIVERY_SCHEDULED


async def test_an_event_before_its_turn_waits_and_changes_nothing(world) -> None:
    order_id = await world.placed()
    with pytest.raises(NotReadyYet):
        await world.workflow.apply_status(order_id, S.IN_TRANSIT)
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
    cancelled = await world.workflow.cancel(order_id)
    assert cancelled.status == S.ORDER_CANCELLED
    assert [e.routing_key for e in world.repository.events] == ["order.created", "order.cancelled"]
    await world.workflow.undo_after_cancel(order_id)
    assert world.payments.reimbursed == [] and world.deliveries.cancelled == []


async def test_payment_confirmed_after_the_cancel_is_reimbursed_once(world) -> None:
    order_id = await world.placed()
    await world.workflow.cancel(order_id)
    await world.advance(order_id, S.PAYMENT_PAID, S.PAYMENT_PAID)
    assert world.payments.reimbursed == [order_id]
    assert world.deliveries.booked == []  # no driver for a cancelled order
    await world.advance(order_id, S.REIMBURSED)
    assert world.history(order_id) == ["created", "orderCancelled", "reimbursed"]


async def test_cancel_after_delivery_booked_cancels_it_and_reimburses(world) -> None:
    order_id = await world.placed()
    await world.advance(order_id, S.PAYMENT_PAID)
    await world.workflow.cancel(order_id)
    await world.workflow.undo_after_cancel(order_id)
    await world.workflow.undo_after_cancel(order_id)  # a redelivered event changes nothing
    assert world.deliveries.cancelled == ["delivery-1"]
    assert world.payments.reimbursed == [order_id]


async def test_cancel_after_driver_available_is_refused_and_reimburses_nothing(world) -> None:
    order_id = await world.placed()
    await world.advance(order_id, S.PAYMENT_PAID, S.DRIVER_AVAILABLE)
    with pytest.raises(CancelTooLate):
        await world.workflow.cancel(order_id)
    assert world.status(order_id) == S.COOKING_SCHEDULED
    assert world.payments.reimbursed == []
    assert [e.routing_key for e in world.repository.events] == ["order.created"]


async def test_a_late_driver_does_not_bring_a_cancelled_order_back(world) -> None:
    order_id = await world.placed()
    await world.workflow.cancel(order_id)
    await world.advance(order_id, S.DRIVER_AVAILABLE, S.DELIVERED)
    assert world.status(order_id) == S.ORDER_CANCELLED
    assert world.kitchen.booked == []


async def test_get_reads_the_cache_first_and_delete_removes_it(world) -> None:
    order_id = await world.placed()
    world.repository.orders[order_id].status = S.DELIVERED  # only the cache would not know
    assert (await world.workflow.get(order_id)).status == S.CREATED
    await world.workflow.delete(order_id)
    assert order_id not in world.cache.orders
    with pytest.raises(OrderNotFound):
        await world.workflow.get(order_id)
    with pytest.raises(OrderNotFound):
        await world.workflow.delete(order_id)


async def test_distance_is_added_without_touching_the_status(world) -> None:
    order_id = await world.placed()
    await world.workflow.add_distance(order_id, 12.5, 38.0)
    order = world.repository.orders[order_id]
    assert (order.distance_km, order.estimated_delivery_minutes, order.status) == (
        12.5,
        38.0,
        S.CREATED,
    )


async def test_cancelling_again_answers_with_the_cancelled_order(world) -> None:
    order_id = await world.placed()
    first = await world.workflow.cancel(order_id)
    await world.advance(order_id, S.PAYMENT_PAID)
    await world.advance(order_id, S.REIMBURSED)
    again = await world.workflow.cancel(order_id)
    assert first.status == S.ORDER_CANCELLED and again.status == S.REIMBURSED
    assert [e.routing_key for e in world.repository.events].count("order.cancelled") == 1


async def test_a_charge_that_cannot_be_sent_for_too_long_ends_in_payment_failed(world) -> None:
    world.workflow = OrderWorkflow(
        world.repository, world.cache, world.payments, FakeCustomers(), world.deliveries,
        world.kitchen, max_charge_attempts=3,
    )  # fmt: skip
    world.payments.down = True
    order_id = await world.placed()
    await world.workflow.charge(order_id)
    assert world.status(order_id) == S.CREATED  # two attempts: still retrying
    await world.workflow.charge(order_id)
    order = world.repository.orders[order_id]
    assert order.status == S.PAYMENT_FAILED
    assert order.failure_reason.startswith("payment could not be requested")
