"""PaymentService's request and response bodies (unknown fields are refused with 422)."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from PaymentService.business.callbacks import CallbackOutcome
from PaymentService.business.commands import CardCallback, PaymentCommand
from PaymentService.business.models import CallbackStatus, Payment
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

    def command(self) -> PaymentCommand:
        return PaymentCommand(
            str(self.metadata.order_id),
            str(self.metadata.customer_id),
            self.metadata.receiver,
            [item.model_dump(mode="json") for item in self.items],
        )


class PaymentAccepted(BaseModel):
    status: Literal["requestReceived"] = "requestReceived"
    order_id: UUID
    payment_id: UUID
    payment_status: str = Field(description="Where the payment stands now")

    @classmethod
    def of(cls, payment: Payment) -> "PaymentAccepted":
        return cls(order_id=payment.order_id, payment_id=payment.id, payment_status=payment.status)


class CallbackRequest(BaseModel):
    """The card company's result for a billing or reimbursement request."""

    model_config = ConfigDict(extra="forbid")

    status: CallbackStatus
    caller_id: UUID
    transaction_id: UUID

    def command(self) -> CardCallback:
        return CardCallback(str(self.caller_id), self.status, str(self.transaction_id))


class CallbackAccepted(BaseModel):
    caller_id: UUID
    payment_status: str
    event_published: bool = Field(description="False for a duplicate callback: nothing new sent")

    @classmethod
    def of(cls, outcome: CallbackOutcome) -> "CallbackAccepted":
        return cls(
            caller_id=outcome.payment.id,
            payment_status=outcome.payment.status,
            event_published=outcome.applied,
        )


class HistoryEntry(BaseModel):
    status: str
    at: datetime


class PaymentView(BaseModel):
    """A payment as stored (the card number is never stored, only its last four digits)."""

    model_config = ConfigDict(from_attributes=True)  # read from a Payment, renames below

    payment_id: UUID = Field(
        validation_alias="id", description="Also the caller_id the card company calls back with"
    )
    order_id: UUID
    customer_id: UUID
    status: str
    amount: float | None
    currency: str | None
    card_last4: str | None
    transaction_id: str | None
    reimbursement_transaction_id: str | None
    created: datetime = Field(validation_alias="created_at")
    updated: datetime = Field(validation_alias="updated_at")
    history: list[HistoryEntry]

    @classmethod
    def of(cls, payment: Payment) -> "PaymentView":
        return cls.model_validate(payment)
