"""PaymentService's request and response bodies (unknown fields are refused with 422)."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from PaymentService.business.callbacks import CallbackOutcome
from PaymentService.business.commands import CardCallback, PaymentCommand
from PaymentService.business.models import CallbackStatus, Payment
from servicekit.contracts import Item

# Examples in the OpenAPI document: an order of a customer CustomerService's mock knows.
ORDER_ID = "f0ae32b1-5e6a-4bd9-9a4f-5c2d2e6e0c11"
CUSTOMER_ID = "f2861560-e9ed-4463-955f-0c55c3b416fb"
PAYMENT_ID = "9b2f6c1d-8e4a-4f3b-a5c7-1d2e3f4a5b6c"
TRANSACTION_ID = "7b0f5a8e-1d2c-4e3f-9a8b-0c1d2e3f4a5b"


class PaymentMetadata(BaseModel):
    model_config = ConfigDict(extra="forbid")

    receiver: str = Field(min_length=1, max_length=64, examples=["OrderService"])
    order_id: UUID
    customer_id: UUID


class PaymentRequest(BaseModel):
    """Charge (or reimburse) the order's items to the customer's card."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "metadata": {
                        "receiver": "OrderService",
                        "order_id": ORDER_ID,
                        "customer_id": CUSTOMER_ID,
                    },
                    "items": [{"product": "Lasagna", "quantity": 1}],
                }
            ]
        },
    )

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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "requestReceived",
                    "order_id": ORDER_ID,
                    "payment_id": PAYMENT_ID,
                    "payment_status": "pending",
                }
            ]
        }
    )

    status: Literal["requestReceived"] = "requestReceived"
    order_id: UUID
    payment_id: UUID
    payment_status: str = Field(description="Where the payment stands now")

    @classmethod
    def of(cls, payment: Payment) -> "PaymentAccepted":
        return cls(order_id=payment.order_id, payment_id=payment.id, payment_status=payment.status)


class CallbackRequest(BaseModel):
    """The card company's result for a billing or reimbursement request."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"status": "paymentPaid", "caller_id": PAYMENT_ID, "transaction_id": TRANSACTION_ID}
            ]
        },
    )

    status: CallbackStatus
    caller_id: UUID
    transaction_id: UUID

    def command(self) -> CardCallback:
        return CardCallback(str(self.caller_id), self.status, str(self.transaction_id))


class CallbackAccepted(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"caller_id": PAYMENT_ID, "payment_status": "paid", "event_published": True}
            ]
        }
    )

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

    model_config = ConfigDict(
        from_attributes=True,  # read from a Payment, renames below
        json_schema_extra={
            "examples": [
                {
                    "payment_id": PAYMENT_ID,
                    "order_id": ORDER_ID,
                    "customer_id": CUSTOMER_ID,
                    "status": "paid",
                    "amount": 12.5,
                    "currency": "EUR",
                    "card_last4": "4242",
                    "transaction_id": TRANSACTION_ID,
                    "reimbursement_transaction_id": None,
                    "created": "2026-12-01T18:30:00.210000Z",
                    "updated": "2026-12-01T18:30:00.430000Z",
                    "history": [
                        {"status": "requested", "at": "2026-12-01T18:30:00.210000Z"},
                        {"status": "pending", "at": "2026-12-01T18:30:00.260000Z"},
                        {"status": "paid", "at": "2026-12-01T18:30:00.430000Z"},
                    ],
                }
            ]
        },
    )

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
