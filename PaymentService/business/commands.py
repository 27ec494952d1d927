"""What the payment rules are asked to do: one small immutable command per use case."""

from dataclasses import dataclass
from typing import Any

from PaymentService.business.models import CallbackStatus


@dataclass(frozen=True)
class PaymentCommand:
    """Charge (or reimburse) an order's items to its customer's card."""

    order_id: str
    customer_id: str
    receiver: str  # who gets the payment's events
    items: list[dict[str, Any]]


@dataclass(frozen=True)
class CardCallback:
    """The card company's result for the request it knows by `caller_id` (a payment's id)."""

    caller_id: str
    status: CallbackStatus
    transaction_id: str
