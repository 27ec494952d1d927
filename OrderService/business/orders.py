"""The order workflow: place, charge, follow the events, cancel, and what each step triggers."""

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import ujson
from loguru import logger

from OrderService.business.errors import (
    CancelTooLate,
    IdempotencyConflict,
    NotReadyYet,
    OrderNotFound,
    PaymentRefused,
)
from OrderService.business.models import Order, Page, order_event
from OrderService.business.ports import (
    Customers,
    Deliveries,
    Kitchen,
    OrderCache,
    OrderRepository,
    Payments,
)
from OrderService.business.state_machine import (
    CANCELLABLE,
    TRANSITIONS,
    OrderStatus,
    Verdict,
    can_cancel,
    decide,
)
from servicekit.backoff import backoff_s
from servicekit.clock import now_ms

S = OrderStatus


def request_fingerprint(customer_id: str, items: list[dict[str, Any]]) -> str:
    """What an Idempotency-Key stands for: the same key must come with the same request."""
    payload = ujson.dumps({"customer_id": customer_id, "items": items}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


class OrderWorkflow:
    def __init__(
        self,
        repository: OrderRepository,
        cache: OrderCache,
        payments: Payments,
        customers: Customers,
        deliveries: Deliveries,
        kitchen: Kitchen,
        max_charge_backoff_s: float = 30.0,
        max_charge_attempts: int = 100,
    ) -> None:
        self._repository = repository
        self._cache = cache
        self._payments = payments
        self._customers = customers
        self._deliveries = deliveries
        self._kitchen = kitchen
        self._max_backoff_s = max_charge_backoff_s
        self._max_attempts = max_charge_attempts

    async def place(
        self, customer_id: str, items: list[dict[str, Any]], idempotency_key: str | None = None
    ) -> tuple[Order, bool]:
        """Store a new order with its `order.created` event; the charge follows from the
        stored order (see `charge`). Returns the order and whether it is new."""
        now = now_ms()
        order = Order(
            id=str(uuid.uuid4()),
            customer_id=customer_id,
            items=items,
            status=S.CREATED,
            created_at=now,
            updated_at=now,
            history=[{"status": S.CREATED.value, "at": now}],
            idempotency_key=idempotency_key,
            request_fingerprint=request_fingerprint(customer_id, items),
        )
        stored = await self._repository.create(order, order_event(order, "order.created"))
        if stored.id != order.id:
            if stored.request_fingerprint != order.request_fingerprint:
                raise IdempotencyConflict("Idempotency-Key was already used for another request")
            logger.bind(order_id=stored.id).info("Idempotent retry: returning the stored order")
            return stored, False
        await self._cache.put(stored)
        logger.bind(order_id=stored.id).info("Order placed for customer {}", customer_id)
        return stored, True

    async def get(self, order_id: str) -> Order:
        order = await self._cache.get(order_id)
        if order is None:
            order = await self._repository.get(order_id)
            if order is None:
                raise OrderNotFound(f"order {order_id} not found")
            await self._cache.put(order)
        return order

    async def list(
        self, status: OrderStatus | None, customer_id: str | None, limit: int, offset: int
    ) -> Page:
        return await self._repository.list(status, customer_id, limit, offset)

    async def delete(self, order_id: str) -> None:
        if not await self._repository.delete(order_id):
            raise OrderNotFound(f"order {order_id} not found")
        await self._cache.remove(order_id)
        logger.bind(order_id=order_id).info("Order deleted")

    async def cancel(self, order_id: str) -> Order:
        """Cancel before a driver is available; the delivery booking and the money are undone
        by the `order.cancelled` event this stores (see `undo_after_cancel`)."""
        order = await self._repository.get(order_id)
        if order is None:
            raise OrderNotFound(f"order {order_id} not found")
        if order.status in (S.ORDER_CANCELLED, S.REIMBURSED):  # cancelled before: same answer
            return order
        if not can_cancel(order.status):
            raise CancelTooLate(f"order is {order.status}: too late to cancel")
        cancelled = await self._repository.transition(
            order_id, CANCELLABLE, S.ORDER_CANCELLED, event=order_event(order, "order.cancelled")
        )
        if cancelled is None:  # an event moved it on meanwhile
            return await self.cancel(order_id)
        await self._cache.put(cancelled)
        logger.bind(order_id=order_id).info("Order cancelled in {}", order.status)
        return cancelled

    async def charge(self, order_id: str, order: Order | None = None) -> None:
        """Ask PaymentService to charge a stored order (pass it when at hand, to save a read).
        A refusal ends the order in paymentFailed; any other failure schedules another attempt
        (nothing is lost)."""
        log = logger.bind(order_id=order_id)
        order = order or await self._repository.get(order_id)
        if order is None or order.charge != "pending":
            return
        if order.status != S.CREATED:  # cancelled before it was charged
            await self._repository.update_fields(
                order_id, {"charge": "skipped"}, only_if={"charge": "pending"}
            )
            return
        try:
            await self._payments.charge(order)
        except PaymentRefused as refusal:
            log.warning("Charge refused: {}", refusal)
            await self._fail_payment(order_id, str(refusal))
            return
        except Exception as error:
            attempts = order.charge_attempts + 1
            if attempts >= self._max_attempts:
                log.error("Charge given up after {} attempts: {}", attempts, error)
                await self._fail_payment(order_id, f"payment could not be requested: {error}")
                return
            delay_s = backoff_s(attempts, self._max_backoff_s)
            await self._repository.charge_failed(
                order_id, str(error), datetime.now(UTC) + timedelta(seconds=delay_s)
            )
            log.warning(
                "Charge not sent (attempt {}), retry in {:.1f} s: {}", attempts, delay_s, error
            )
            return
        await self._repository.update_fields(
            order_id, {"charge": "sent"}, only_if={"charge": "pending"}
        )
        log.info("Charge requested from PaymentService")

    async def _fail_payment(self, order_id: str, reason: str) -> None:
        failed = await self._repository.transition(
            order_id,
            {S.CREATED},
            S.PAYMENT_FAILED,
            {"failure_reason": reason, "charge": "refused"},
        )
        if failed:
            await self._cache.put(failed)

    async def apply_status(self, order_id: str, target: OrderStatus) -> None:
        """An outside party reports a status; apply it, ignore it, or wait for its turn.

        The allowed step is tried first as one conditional update (the common case costs one
        database round trip); only when it does not apply is the order read to tell why.
        """
        log = logger.bind(order_id=order_id)
        updated = await self._repository.transition(order_id, TRANSITIONS[target], target)
        if updated is not None:
            await self._cache.put(updated)
            log.info("Order {} -> {}", updated.history[-2]["status"], target)
            if target in FOLLOW_UPS:
                await FOLLOW_UPS[target](self, updated)
            return
        order = await self._repository.get(order_id)
        if order is None:
            log.warning("Event {} for an unknown order ignored", target)
            return
        # Heal a cached copy left behind (a process that stopped between storing a change and
        # caching it): the cache keeps whichever version is newer.
        await self._cache.put(order)
        if target == S.PAYMENT_PAID and order.status == S.ORDER_CANCELLED:
            await self._reimburse_once(order)
            return
        decision = decide(order.status, target)
        if decision.verdict == Verdict.WAIT:
            raise NotReadyYet(decision.reason)
        if decision.verdict == Verdict.APPLY:  # it moved between our two reads: try again
            await self.apply_status(order_id, target)
        elif order.status == target and target in FOLLOW_UPS:
            # A redelivered event whose follow-up step did not finish: finish it now.
            await FOLLOW_UPS[target](self, order)
        else:
            log.info("Event {} ignored: {}", target, decision.reason)

    async def _book_delivery(self, order: Order) -> None:
        address = await self._customers.address(order.customer_id)
        delivery_id = await self._deliveries.book(order, address)
        updated = await self._repository.transition(
            order.id, {S.PAYMENT_PAID}, S.DELIVERY_SCHEDULED, {"delivery_id": delivery_id}
        )
        log = logger.bind(order_id=order.id)
        if updated is None:
            current = await self._repository.get(order.id)
            if current is not None and current.delivery_id == delivery_id:
                # A duplicate of this event stored the same booking (same Idempotency-Key):
                # it is the order's delivery, keep it (a cancel of the order undoes it).
                log.info("Delivery {} was stored by a duplicate event", delivery_id)
                return
            # Cancelled while we booked (or another booking was stored): undo ours.
            await self._deliveries.cancel(delivery_id)
            log.info("Delivery {} cancelled again", delivery_id)
            return
        await self._cache.put(updated)
        log.info("Delivery booked: {}", delivery_id)

    async def _book_kitchen(self, order: Order) -> None:
        kitchen_id = await self._kitchen.book(order)
        updated = await self._repository.transition(
            order.id, {S.DRIVER_AVAILABLE}, S.COOKING_SCHEDULED, {"kitchen_id": kitchen_id}
        )
        log = logger.bind(order_id=order.id)
        if updated is None:  # a duplicate event booked it first; KitchenService has no cancel
            log.warning("Kitchen booking {} not used: the order was booked already", kitchen_id)
            return
        await self._cache.put(updated)
        log.info("Kitchen booked: {}", kitchen_id)

    async def undo_after_cancel(self, order_id: str) -> None:
        """On `order.cancelled`: cancel the delivery booking and give the money back if paid."""
        order = await self._repository.get(order_id)
        if order is None or order.status not in (S.ORDER_CANCELLED, S.REIMBURSED):
            return
        if order.delivery_id:
            delivery_id = order.delivery_id
            await self._once(
                order, "delivery_cancelled", lambda: self._deliveries.cancel(delivery_id)
            )
        if order.was_paid:
            await self._reimburse_once(order)

    async def _reimburse_once(self, order: Order) -> None:
        await self._once(order, "reimbursement_requested", lambda: self._payments.reimburse(order))

    async def _once(self, order: Order, flag: str, action: Callable[[], Awaitable[None]]) -> None:
        """Run a side effect that is safe to repeat (a repeated reimbursement or delivery cancel
        changes nothing) and then record it, so a crash in between repeats it instead of
        losing it; the flag only saves the call once it is known to be done."""
        log = logger.bind(order_id=order.id)
        current = await self._repository.get(order.id)
        if current is not None and getattr(current, flag):
            log.info("{} already done", flag)
            return
        await action()
        updated = await self._repository.update_fields(order.id, {flag: True})
        if updated is not None:
            await self._cache.put(updated)
        log.info("{} done", flag)

    async def add_distance(self, order_id: str, distance_km: float, minutes: float) -> None:
        updated = await self._repository.update_fields(
            order_id, {"distance_km": distance_km, "estimated_delivery_minutes": minutes}
        )
        if updated is None:
            logger.bind(order_id=order_id).warning("Distance for an unknown order ignored")
            return
        await self._cache.put(updated)


FOLLOW_UPS = {
    S.PAYMENT_PAID: OrderWorkflow._book_delivery,
    S.DRIVER_AVAILABLE: OrderWorkflow._book_kitchen,
}
