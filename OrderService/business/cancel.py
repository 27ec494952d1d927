"""Cancelling an order, and undoing what was done for it once `order.cancelled` is handled."""

from collections.abc import Awaitable, Callable

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
    ignored (an unknown order, or one not cancelled)."""
    order = await orders.load(event.metadata.order_id)
    if order is None or order.status not in ENDED_BY_CANCEL:
        return False
    if order.delivery_id:
        delivery_id = order.delivery_id
        await once(order, "delivery_cancelled", lambda: deliveries.cancel(delivery_id), orders)
    if order.was_paid:
        await reimburse_once(order, orders, payments)
    return True


async def reimburse_once(order: Order, orders: Orders, payments: Payments) -> None:
    await once(order, "reimbursement_requested", lambda: payments.reimburse(order), orders)


async def once(
    order: Order, flag: str, action: Callable[[], Awaitable[None]], orders: Orders
) -> None:
    """Run a side effect that is safe to repeat (a repeated reimbursement or delivery cancel
    changes nothing) and then record it, so a crash in between repeats it instead of losing
    it; the flag only saves the call once it is known to be done."""
    log = logger.bind(order_id=order.id)
    current = await orders.load(order.id)
    if current is not None and getattr(current, flag):
        log.info("{} already done", flag)
        return
    await action()
    await orders.update(order.id, {flag: True})
    log.info("{} done", flag)
