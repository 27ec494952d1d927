"""Applying a status an outside party or PaymentService reports: apply it, ignore it, or wait
for its turn, and run what it triggers."""

from collections.abc import Awaitable, Callable

from loguru import logger

from OrderService.business.errors import NotReadyYet
from OrderService.business.messages import StatusReport
from OrderService.business.models import Order
from OrderService.business.ports import Orders
from OrderService.business.state_machine import TRANSITIONS, OrderStatus, Verdict, decide

FollowUp = Callable[[Order], Awaitable[None]]


async def apply_status(
    report: StatusReport,
    target: OrderStatus,
    orders: Orders,
    follow_up: FollowUp | None = None,
    if_cancelled: FollowUp | None = None,
) -> bool:
    """Move the order to `target` and run its `follow_up` (a booking); `if_cancelled` runs
    instead when the order was cancelled meanwhile (a payment that came too late is given back).
    Returns False when the event is ignored (a duplicate, a late event, an unknown order).

    The allowed step is tried first as one conditional write (the common case costs one round
    trip); only when it does not apply is the order read to tell why.
    """
    order_id = report.metadata.order_id
    log = logger.bind(order_id=order_id)
    moved = await orders.transition(order_id, TRANSITIONS[target], target)
    if moved is not None:
        log.info("Order {} -> {}", moved.history[-2]["status"], target)
        if follow_up is not None:
            await follow_up(moved)
        return True
    order = await orders.load(order_id)
    if order is None:
        log.warning("Event {} for an unknown order ignored", target)
        return False
    if order.status == OrderStatus.ORDER_CANCELLED and if_cancelled is not None:
        await if_cancelled(order)
        return True
    decision = decide(order.status, target)
    if decision.verdict == Verdict.WAIT:
        raise NotReadyYet(decision.reason)
    if decision.verdict == Verdict.APPLY:  # it moved between our two reads: try again
        return await apply_status(report, target, orders, follow_up, if_cancelled)
    if order.status == target and follow_up is not None:
        await follow_up(order)  # a redelivered event whose follow-up did not finish
        return True
    log.info("Event {} ignored: {}", target, decision.reason)
    return False
