"""PaymentService's request and response bodies (unknown fields are refused with 422)."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from PaymentService.business.models import CallbackStatus
from servicekit.contracts import Item


class PaymentMetadata(BaseModel):
    model_config = ConfigDict(extra="forbid")

    receiver: str = Field(min_length=1, max_length=64, examples=["OrderService"])
    order_id: UUID
    customer_id: UUID


class PaymentRequest(BaseModel):
    """Charge (or reimburse) the order's items to the customer's card."""

    model_config = ConfigDict(extra="forbid")

    metadata: PaymentMetadata
    items: list[Item] = Field(min_length=1, max_length=50)


class PaymentAccepted(BaseModel):
    status: Literal["requestReceived"] = "requestReceived"
    order_id: UUID
    payment_id: UUID
    payment_status: str = Field(description="Where the payment stands now")


class CallbackRequest(BaseModel):
    """The card company's result for a billing or reimbursement request."""

    model_config = ConfigDict(extra="forbid")

    status: CallbackStatus
    caller_id: UUID
    transaction_id: UUID


class CallbackAccepted(BaseModel):
    caller_id: UUID
    payment_status: str
    event_published: bool = Field(description="False for a duplicate callback: nothing new sent")


class HistoryEntry(BaseModel):
    status: str
    at: datetime


class PaymentView(BaseModel):
    """A payment as stored (the card number is never stored, only its last four digits)."""

    payment_id: UUID = Field(description="Also the caller_id the card company calls back with")
    order_id: UUID
    customer_id: UUID
    status: str
    amount: float | None
    currency: str | None
    card_last4: str | None
    transaction_id: str | None
    reimbursement_transaction_id: str | None
    created: datetime
    updated: datetime
    history: list[HistoryEntry]
