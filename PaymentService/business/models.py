"""A payment, its states, and which card-company callback moves it where."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from servicekit.contracts import Event, status_event


class PaymentStatus(StrEnum):
    REQUESTED = "requested"  # stored, the card company not asked yet (or the answer not stored)
    PENDING = "pending"  # the card company accepted the billing request; result comes by callback
    PAID = "paid"
    FAILED = "failed"
    REIMBURSEMENT_PENDING = "reimbursementPending"
    REIMBURSED = "reimbursed"


class CallbackStatus(StrEnum):
    PAYMENT_PAID = "paymentPaid"
    PAYMENT_FAILED = "paymentFailed"
    REIMBURSED = "reimbursed"


@dataclass(frozen=True)
class CallbackRule:
    allowed_from: frozenset[PaymentStatus]
    to: PaymentStatus
    event: str  # routing key of the event it publishes


CALLBACK_RULES: dict[CallbackStatus, CallbackRule] = {
    CallbackStatus.PAYMENT_PAID: CallbackRule(
        frozenset({PaymentStatus.REQUESTED, PaymentStatus.PENDING}),
        PaymentStatus.PAID,
        "payment.paymentPaid",
    ),
    CallbackStatus.PAYMENT_FAILED: CallbackRule(
        frozenset({PaymentStatus.REQUESTED, PaymentStatus.PENDING}),
        PaymentStatus.FAILED,
        "payment.paymentFailed",
    ),
    CallbackStatus.REIMBURSED: CallbackRule(
        frozenset({PaymentStatus.REIMBURSEMENT_PENDING}),
        PaymentStatus.REIMBURSED,
        "payment.reimbursed",
    ),
}


@dataclass(frozen=True)
class Billing:
    """What CustomerService says the order costs and which card pays it."""

    amount: float
    currency: str
    card: dict[str, Any]

    @property
    def card_last4(self) -> str:
        return str(self.card.get("card_number", ""))[-4:]


@dataclass
class Payment:
    """One payment per order; its id is the caller_id the card company calls back with."""

    id: str
    order_id: str
    customer_id: str
    receiver: str
    status: PaymentStatus
    created_at: datetime
    updated_at: datetime
    version: int = 1  # raised by each stored change
    amount: float | None = None
    currency: str | None = None
    card_last4: str | None = None
    transaction_id: str | None = None
    reimbursement_transaction_id: str | None = None
    # The card company's transaction id of each callback applied, by callback status: the
    # same callback sent again (its answer was lost) is recognised even after later changes.
    callback_transactions: dict[str, str] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)


PaymentEvent = Event


def payment_event(payment: Payment, routing_key: str, **extra: Any) -> PaymentEvent:
    return status_event(
        routing_key,
        payment.receiver,
        payment.order_id,
        payment.customer_id,
        payment_id=payment.id,
        **extra,
    )
