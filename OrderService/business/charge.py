"""Charging a placed order: ask PaymentService once; a refusal ends the order in paymentFailed,
any other failure schedules another attempt (nothing is lost)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from loguru import logger

from OrderService.business.charge_progress import (
    ChargeOutcome,
    ChargeProgress,
    charge_step,
    outcome_of_failure,
)
from OrderService.business.errors import PaymentRefused
from OrderService.business.models import Order
from OrderService.business.ports import Orders, Payments
from OrderService.business.state_machine import OrderStatus
from servicekit.backoff import backoff_s


@dataclass(frozen=True)
class ChargePolicy:
    max_attempts: int = 100
    max_backoff_s: float = 30.0


async def charge_order(
    order: Order, orders: Orders, payments: Payments, policy: ChargePolicy
) -> None:
    """Hand a stored order's charge to PaymentService (an order charged before is left alone)."""
    if order.charge != ChargeProgress.PENDING:
        return
    if order.status != OrderStatus.CREATED:  # cancelled before it was charged
        await _record(order, ChargeOutcome.ORDER_MOVED_ON, orders)
        return
    try:
        await payments.charge(order)
    except PaymentRefused as refusal:
        logger.bind(order_id=order.id).warning("Charge refused: {}", refusal)
        await _fail_payment(order, ChargeOutcome.REFUSED, str(refusal), orders)
    except Exception as error:
        await _not_sent(order, error, orders, policy)
    else:
        await _record(order, ChargeOutcome.ACCEPTED, orders)
        logger.bind(order_id=order.id).info("Charge requested from PaymentService")


async def _record(order: Order, outcome: ChargeOutcome, orders: Orders) -> None:
    """The progress `outcome` leads to; stored only while the stored charge is still pending
    (another instance may have finished it meanwhile)."""
    progress = charge_step(order.charge, outcome)
    if progress is not None:
        await orders.update(order.id, {"charge": progress}, only_if={"charge": order.charge})


async def _fail_payment(order: Order, outcome: ChargeOutcome, reason: str, orders: Orders) -> None:
    progress = charge_step(order.charge, outcome)
    if progress is None:
        return
    changes = {"failure_reason": reason, "charge": progress}
    await orders.transition(order.id, {OrderStatus.CREATED}, OrderStatus.PAYMENT_FAILED, changes)


async def _not_sent(order: Order, error: Exception, orders: Orders, policy: ChargePolicy) -> None:
    log = logger.bind(order_id=order.id)
    attempts = order.charge_attempts + 1
    outcome = outcome_of_failure(attempts, policy.max_attempts)
    if outcome == ChargeOutcome.GAVE_UP:
        log.error("Charge given up after {} attempts: {}", attempts, error)
        reason = f"payment could not be requested: {error}"
        await _fail_payment(order, outcome, reason, orders)
        return
    delay_s = backoff_s(attempts, policy.max_backoff_s)
    retry_at = datetime.now(UTC) + timedelta(seconds=delay_s)
    await orders.charge_failed(order.id, str(error), retry_at)
    log.warning("Charge not sent (attempt {}), retry in {:.1f} s: {}", attempts, delay_s, error)
