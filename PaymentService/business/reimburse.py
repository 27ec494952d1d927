"""Reimbursing a paid order: the charged amount goes back once."""

from dataclasses import replace

from loguru import logger

from PaymentService.business.card_requests import ask_card_company
from PaymentService.business.commands import PaymentCommand
from PaymentService.business.errors import NotReimbursable
from PaymentService.business.models import Billing, Payment, PaymentStatus
from PaymentService.business.ports import CardCompany, CustomerBilling, Payments
from PaymentService.business.queries import payment_of_order

REIMBURSING = PaymentStatus.REIMBURSEMENT_PENDING
REIMBURSABLE = (PaymentStatus.PAID, REIMBURSING)


async def request_reimbursement(
    request: PaymentCommand,
    payments: Payments,
    customers: CustomerBilling,
    card_company: CardCompany,
    callback_url: str,
) -> Payment:
    """Give the money of a paid order back once; repeated requests change nothing, except
    that a request whose outcome was unknown is sent again (same caller_id)."""
    log = logger.bind(order_id=request.order_id)
    payment = await payment_of_order(request.order_id, payments)
    if payment.status == PaymentStatus.REIMBURSED or payment.reimbursement_transaction_id:
        log.info("Reimbursement already requested ({})", payment.status)
        return payment
    if payment.status not in REIMBURSABLE:
        raise NotReimbursable(f"payment of order {request.order_id} is {payment.status}, not paid")
    billing = await _refund(payment, request, customers)
    if payment.status == PaymentStatus.PAID:
        claimed = await payments.transition(payment.id, {PaymentStatus.PAID}, REIMBURSING)
        if claimed is None:  # a concurrent request claimed it first
            return await payments.get(payment.id) or payment
        payment = claimed
    transaction_id = await ask_card_company(
        card_company.reimburse(payment.id, billing, callback_url),
        undo=lambda: payments.transition(payment.id, {REIMBURSING}, PaymentStatus.PAID),
        order_id=payment.order_id,
        not_arrived="Reimbursement request did not arrive, payment stays paid: {}",
        unknown="Reimbursement outcome unknown, kept pending for a retry: {}",
    )
    updated = await payments.update(
        payment.id,
        {"reimbursement_transaction_id": transaction_id},
        only_if={"status": REIMBURSING},
    )
    log.info("Reimbursement requested (transaction {})", transaction_id)
    return updated or payment


async def _refund(payment: Payment, request: PaymentCommand, customers: CustomerBilling) -> Billing:
    """Stored amount wins: we give back what was charged, with the card on file now."""
    billing = await customers.billing(request.customer_id, request.items)
    return replace(
        billing,
        amount=payment.amount or billing.amount,
        currency=payment.currency or billing.currency,
    )
