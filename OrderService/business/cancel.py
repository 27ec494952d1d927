"""Cancelling an order, and undoing what was done for it once `order.cancelled` is handled."""

from collections.abc import Awaitable, Callable
from typing import Any

from loguru import logger

from OrderService.business.errors import CancelTooLate, OrderNotFound
from OrderService.business.messages import OrderCancelled
from OrderService.business.models import Order, order_event
from OrderService.business.ports import Deliveries, Orders, Payments
from OrderService.business.state_machine import CANCELLABLE, OrderStatus, can_cancel

ENDED_BY_CANCEL = (OrderStatus.ORDER_CANCELLED, OrderStatus.REIMBURSED)


async def cancel_order(order_id: str, orders: Orders) -> Order:
    """Cancel before a driver is available; the delivery booking and the money are undone by
    the `order.cancelled` event this stores (see `undo_after_cancel`)."""
    order = await orders.load(order_id)
    if order is None:
        raise OrderNotFound(f"order {order_id} not found")
    if order.status in ENDED_BY_CANCEL:  # cancelled before: same answer
        return order
    if not can_cancel(order.status):
        raise CancelTooLate(f"order is {order.status}: too late to cancel")
    cancelled = await orders.transition(
        order_id,
        CANCELLABLE,
        OrderStatus.ORDER_CANCELLED,
        events=[order_event(order, "order.cancelled")],
    )
    if cancelled is None:  # an event moved it on meanwhile
        return await cancel_order(order_id, orders)
    logger.bind(order_id=order_id).info("Order cancelled in {}", order.status)
    return cancelled


async def undo_after_cancel(
    event: OrderCancelled, orders: Orders, deliveries: Deliveries, payments: Payments
) -> bool:
    """Cancel the delivery booking, and give the money back if the order was paid; False when
    ignored (an unknown order, or one not cancelled). A booking the DeliveryService cannot
    cancel stays, said on the order; the money is given back all the same."""
    order = await orders.load(event.metadata.order_id)
    if order is None or order.status not in ENDED_BY_CANCEL:
        return False
    if order.delivery_id:
        await cancel_delivery_once(order, order.delivery_id, orders, deliveries)
    if order.was_paid:
        await reimburse_once(order, orders, payments)
    return True


async def cancel_delivery_once(
    order: Order, delivery_id: str, orders: Orders, deliveries: Deliveries
) -> None:
    async def cancel() -> dict[str, Any]:
        problem = await deliveries.cancel(delivery_id)
        if problem is None:
            return {"delivery_cancelled": True}
        logger.bind(order_id=order.id).warning(
            "Delivery {} not cancelled, the booking stays: {}", delivery_id, problem
        )
        return {"delivery_not_cancelled": problem}

    await once(order, ("delivery_cancelled", "delivery_not_cancelled"), cancel, orders)


async def reimburse_once(order: Order, orders: Orders, payments: Payments) -> None:
    async def reimburse() -> dict[str, Any]:
        await payments.reimburse(order)
        return {"reimbursement_requested": True}

    await once(order, ("reimbursement_requested",), reimburse, orders)


async def once(
    order: Order,
    done_when: tuple[str, ...],
    action: Callable[[], Awaitable[dict[str, Any]]],
    orders: Orders,
) -> None:
    """Run a side effect that is safe to repeat (a repeated reimbursement or delivery cancel
    changes nothing) and then store the changes it returns, so a crash in between repeats it
    instead of losing it; any field in `done_when` set on the order means it was done."""
    log = logger.bind(order_id=order.id)
    current = await orders.load(order.id)
    if current is not None and any(getattr(current, field) for field in done_when):
        log.info("{} already done", done_when[0])
        return
    changes = await action()
    await orders.update(order.id, changes)
    log.info("{} done", ", ".join(changes))
