"""Charging an order: once per order, never lost and never doubled."""

import uuid
from dataclasses import replace

from loguru import logger

from PaymentService.business.card_requests import ask_card_company
from PaymentService.business.commands import PaymentCommand
from PaymentService.business.models import Billing, Payment, PaymentStatus
from PaymentService.business.ports import CardCompany, CustomerBilling, Payments
from servicekit.clock import now_ms


async def request_payment(
    request: PaymentCommand,
    payments: Payments,
    customers: CustomerBilling,
    card_company: CardCompany,
    callback_url: str,
) -> Payment:
    """Charge the order's card once. A repeated request returns the payment made.

    The payment is stored as `requested` before the card company is asked, and removed
    again only when the request certainly did not reach it (nothing half-done). When the
    outcome is unknown (a timeout, a broken connection, a 5xx) it stays `requested` and
    the caller's retry sends it again with the same caller_id, which the card company
    treats as the same request: a charge is never lost and never doubled.
    """
    log = logger.bind(order_id=request.order_id)
    existing = await payments.find_one(order_id=request.order_id)
    if existing is not None and existing.status != PaymentStatus.REQUESTED:
        log.info("Payment already requested ({}), not charging again", existing.status)
        return existing
    billing = await customers.billing(request.customer_id, request.items)
    payment = existing or await _store_new(request, billing, payments)
    if payment.status != PaymentStatus.REQUESTED:
        return payment  # a concurrent request stored it first and has sent it
    billing = replace(billing, amount=payment.amount, currency=payment.currency)
    transaction_id = await ask_card_company(
        card_company.bill(payment.id, billing, callback_url),
        undo=lambda: payments.delete(payment.id, only_if={"status": PaymentStatus.REQUESTED}),
        order_id=payment.order_id,
        not_arrived="Billing request did not reach the card company, nothing stored: {}",
        unknown="Billing request outcome unknown, payment kept for a retry: {}",
    )
    sent = await _mark_sent(payment, transaction_id, payments)
    log.info(
        "Billing requested: {} {} (transaction {})",
        billing.amount,
        billing.currency,
        transaction_id,
    )
    return sent


def _new_payment(request: PaymentCommand, billing: Billing) -> Payment:
    now = now_ms()
    return Payment(
        id=str(uuid.uuid4()),
        created_at=now,
        updated_at=now,
        status=PaymentStatus.REQUESTED,
        history=[{"status": PaymentStatus.REQUESTED.value, "at": now}],
        order_id=request.order_id,
        customer_id=request.customer_id,
        receiver=request.receiver,
        amount=billing.amount,
        currency=billing.currency,
        card_last4=billing.card_last4,
    )


async def _store_new(request: PaymentCommand, billing: Billing, payments: Payments) -> Payment:
    """A new `requested` payment, stored; or the one a concurrent request stored first."""
    payment = _new_payment(request, billing)
    if await payments.insert(payment):
        return payment
    return await payments.find_one(order_id=request.order_id) or payment


async def _mark_sent(payment: Payment, transaction_id: str, payments: Payments) -> Payment:
    """Pending, with the card company's transaction id; or, when the callback already arrived
    and moved it on, the payment as stored."""
    updated = await payments.transition(
        payment.id,
        {PaymentStatus.REQUESTED},
        PaymentStatus.PENDING,
        {"transaction_id": transaction_id},
    )
    return updated or await payments.get(payment.id) or payment
