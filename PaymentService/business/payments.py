"""The payment rules: charge once per order, reimburse once, apply each callback once."""

import uuid
from dataclasses import dataclass, replace
from typing import Any

from loguru import logger

from PaymentService.business.errors import (
    CallbackConflict,
    CardCompanyUnreachable,
    NotReimbursable,
    PaymentNotFound,
)
from PaymentService.business.models import (
    CALLBACK_RULES,
    CallbackStatus,
    Payment,
    PaymentStatus,
    payment_event,
)
from PaymentService.business.ports import CardCompany, CustomerBilling, PaymentRepository
from servicekit.clock import now_ms


@dataclass(frozen=True)
class CallbackOutcome:
    payment: Payment
    applied: bool  # False for a duplicate: nothing changed, nothing published


class PaymentWorkflow:
    def __init__(
        self,
        repository: PaymentRepository,
        customers: CustomerBilling,
        card_company: CardCompany,
        callback_url: str,
    ) -> None:
        self._repository = repository
        self._customers = customers
        self._card_company = card_company
        self._callback_url = callback_url

    async def request_payment(
        self, order_id: str, customer_id: str, receiver: str, items: list[dict[str, Any]]
    ) -> Payment:
        """Charge the order's card once. A repeated request returns the payment made.

        The payment is stored as `requested` before the card company is asked, and removed
        again only when the request certainly did not reach it (nothing half-done). When the
        outcome is unknown (a timeout, a broken connection, a 5xx) it stays `requested` and
        the caller's retry sends it again with the same caller_id, which the card company
        treats as the same request: a charge is never lost and never doubled.
        """
        log = logger.bind(order_id=order_id)
        existing = await self._repository.get_by_order(order_id)
        if existing is not None and existing.status != PaymentStatus.REQUESTED:
            log.info("Payment already requested ({}), not charging again", existing.status)
            return existing
        billing = await self._customers.billing(customer_id, items)
        now = now_ms()
        payment = existing or Payment(
            id=str(uuid.uuid4()),
            order_id=order_id,
            customer_id=customer_id,
            receiver=receiver,
            status=PaymentStatus.REQUESTED,
            created_at=now,
            updated_at=now,
            amount=billing.amount,
            currency=billing.currency,
            card_last4=billing.card_last4,
            history=[{"status": PaymentStatus.REQUESTED.value, "at": now}],
        )
        if existing is None and not await self._repository.insert(payment):
            payment = await self._repository.get_by_order(order_id) or payment
            if payment.status != PaymentStatus.REQUESTED:
                return payment
        billing = replace(billing, amount=payment.amount, currency=payment.currency)
        try:
            transaction_id = await self._card_company.bill(payment.id, billing, self._callback_url)
        except CardCompanyUnreachable as error:
            await self._repository.delete_unsent(payment.id)
            log.warning("Billing request did not reach the card company, nothing stored: {}", error)
            raise
        except Exception as error:
            log.warning("Billing request outcome unknown, payment kept for a retry: {}", error)
            raise
        updated = await self._repository.transition(
            payment.id,
            {PaymentStatus.REQUESTED},
            PaymentStatus.PENDING,
            {"transaction_id": transaction_id},
        )
        log.info(
            "Billing requested: {} {} (transaction {})",
            billing.amount,
            billing.currency,
            transaction_id,
        )
        # None: the callback already arrived and moved it on; return what is stored.
        return updated or await self._repository.get(payment.id) or payment

    async def get_for_order(self, order_id: str) -> Payment:
        payment = await self._repository.get_by_order(order_id)
        if payment is None:
            raise PaymentNotFound(f"no payment for order {order_id}")
        return payment

    async def request_reimbursement(
        self, order_id: str, customer_id: str, items: list[dict[str, Any]]
    ) -> Payment:
        """Give the money of a paid order back once; repeated requests change nothing, except
        that a request whose outcome was unknown is sent again (same caller_id)."""
        log = logger.bind(order_id=order_id)
        payment = await self._repository.get_by_order(order_id)
        if payment is None:
            raise PaymentNotFound(f"no payment for order {order_id}")
        if payment.status == PaymentStatus.REIMBURSED or payment.reimbursement_transaction_id:
            log.info("Reimbursement already requested ({})", payment.status)
            return payment
        if payment.status not in (PaymentStatus.PAID, PaymentStatus.REIMBURSEMENT_PENDING):
            raise NotReimbursable(f"payment of order {order_id} is {payment.status}, not paid")
        billing = await self._customers.billing(customer_id, items)
        # Stored amount wins: we give back what was charged, with the card on file now.
        billing = replace(
            billing,
            amount=payment.amount or billing.amount,
            currency=payment.currency or billing.currency,
        )
        if payment.status == PaymentStatus.PAID:
            claimed = await self._repository.transition(
                payment.id, {PaymentStatus.PAID}, PaymentStatus.REIMBURSEMENT_PENDING
            )
            if claimed is None:  # a concurrent request claimed it first
                return await self._repository.get(payment.id) or payment
            payment = claimed
        try:
            transaction_id = await self._card_company.reimburse(
                payment.id, billing, self._callback_url
            )
        except CardCompanyUnreachable as error:
            await self._repository.transition(
                payment.id, {PaymentStatus.REIMBURSEMENT_PENDING}, PaymentStatus.PAID
            )
            log.warning("Reimbursement request did not arrive, payment stays paid: {}", error)
            raise
        except Exception as error:
            log.warning("Reimbursement outcome unknown, kept pending for a retry: {}", error)
            raise
        updated = await self._repository.transition(
            payment.id,
            {PaymentStatus.REIMBURSEMENT_PENDING},
            PaymentStatus.REIMBURSEMENT_PENDING,
            {"reimbursement_transaction_id": transaction_id},
        )
        log.info("Reimbursement requested (transaction {})", transaction_id)
        return updated or payment

    async def apply_callback(
        self, caller_id: str, status: CallbackStatus, transaction_id: str
    ) -> CallbackOutcome:
        """Apply the card company's result once and publish its event with it."""
        payment = await self._repository.get(caller_id)
        if payment is None:
            raise PaymentNotFound(f"no payment with caller_id {caller_id}")
        rule = CALLBACK_RULES[status]
        log = logger.bind(order_id=payment.order_id)
        if payment.status == rule.to or payment.callback_transactions.get(status) == transaction_id:
            log.info("Duplicate {} callback ignored", status)
            return CallbackOutcome(payment, applied=False)
        if payment.status in rule.allowed_from:
            event = payment_event(payment, rule.event, transaction_id=transaction_id)
            seen = {**payment.callback_transactions, status.value: transaction_id}
            updated = await self._repository.transition(
                payment.id,
                rule.allowed_from,
                rule.to,
                {"callback_transactions": seen},
                event=event,
            )
            if updated is not None:
                log.info("Payment {} -> {}, {} queued", payment.status, rule.to, rule.event)
                return CallbackOutcome(updated, applied=True)
            # Lost a race with a concurrent callback: decide again on what is stored now.
            payment = await self._repository.get(caller_id) or payment
            if payment.status == rule.to:
                return CallbackOutcome(payment, applied=False)
        log.warning("Callback {} refused: payment is {}", status, payment.status)
        raise CallbackConflict(f"callback {status} contradicts payment status {payment.status}")
