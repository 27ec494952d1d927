"""OrderService's request and response bodies (unknown fields are refused with 422)."""

from datetime import datetime
from uuid import UUID

import ujson
from pydantic import BaseModel, ConfigDict, Field

from OrderService.business.models import Order, Page
from OrderService.business.state_machine import OrderStatus
from servicekit.contracts import Item

# Examples in the OpenAPI document: a customer CustomerService's mock knows, and an order.
CUSTOMER_ID = "f2861560-e9ed-4463-955f-0c55c3b416fb"
ORDER_ID = "f0ae32b1-5e6a-4bd9-9a4f-5c2d2e6e0c11"
ORDER_EXAMPLE = {
    "id": ORDER_ID,
    "customer_id": CUSTOMER_ID,
    "items": [{"product": "Lasagna", "quantity": 1}],
    "status": "deliveryScheduled",
    "created": "2026-12-01T18:30:00.125000Z",
    "updated": "2026-12-01T18:30:00.512000Z",
    "delivery_id": "3c1e5a7b-2d4f-4e6a-8b9c-0d1e2f3a4b5c",
    "distance_km": 4.2,
    "estimated_delivery_minutes": 27,
    "history": [
        {"status": "created", "at": "2026-12-01T18:30:00.125000Z"},
        {"status": "paymentPaid", "at": "2026-12-01T18:30:00.431000Z"},
        {"status": "deliveryScheduled", "at": "2026-12-01T18:30:00.512000Z"},
    ],
}


class OrderRequest(BaseModel):
    """A customer's order: who and what."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "customer_id": CUSTOMER_ID,
                    "items": [
                        {"product": "Lasagna", "quantity": 1},
                        {"product": "Double Cheeseburger", "quantity": 2},
                    ],
                }
            ]
        },
    )

    customer_id: UUID
    items: list[Item] = Field(min_length=1, max_length=50)


class HistoryEntry(BaseModel):
    status: OrderStatus
    at: datetime


class OrderResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ORDER_EXAMPLE]})

    id: UUID
    customer_id: UUID
    items: list[Item]
    status: OrderStatus
    created: datetime
    updated: datetime
    delivery_id: str | None = None
    kitchen_id: str | None = None
    distance_km: float | None = None
    estimated_delivery_minutes: float | None = None
    distance_unavailable: str | None = Field(
        None, description="Why the order has no distance, if it has none"
    )
    delivery_not_cancelled: str | None = Field(
        None, description="Why the delivery booking of a cancelled order stays, if it does"
    )
    failure_reason: str | None = Field(None, description="Why the payment failed, if it did")
    history: list[HistoryEntry]

    @classmethod
    def of(cls, order: Order) -> "OrderResponse":
        return cls(
            id=order.id,
            customer_id=order.customer_id,
            items=order.items,
            status=order.status,
            created=order.created_at,
            updated=order.updated_at,
            delivery_id=order.delivery_id,
            kitchen_id=order.kitchen_id,
            distance_km=order.distance_km,
            estimated_delivery_minutes=order.estimated_delivery_minutes,
            distance_unavailable=order.distance_unavailable,
            delivery_not_cancelled=order.delivery_not_cancelled,
            failure_reason=order.failure_reason,
            history=order.history,
        )


def _time(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")  # as pydantic writes it


def order_json(order: Order) -> str:
    """`OrderResponse.of(order)` as JSON, written directly: reading an order is the hot path,
    and building and validating the model cost more than the rest of the request."""
    return ujson.dumps(
        {
            "id": order.id,
            "customer_id": order.customer_id,
            "items": order.items,
            "status": order.status.value,
            "created": _time(order.created_at),
            "updated": _time(order.updated_at),
            "delivery_id": order.delivery_id,
            "kitchen_id": order.kitchen_id,
            "distance_km": order.distance_km,
            "estimated_delivery_minutes": order.estimated_delivery_minutes,
            "distance_unavailable": order.distance_unavailable,
            "delivery_not_cancelled": order.delivery_not_cancelled,
            "failure_reason": order.failure_reason,
            "history": [
                {"status": entry["status"], "at": _time(entry["at"])} for entry in order.history
            ],
        },
        ensure_ascii=False,
    )


class OrderPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"items": [ORDER_EXAMPLE], "total": 1, "limit": 20, "offset": 0}]
        }
    )

    items: list[OrderResponse]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, page: Page) -> "OrderPage":
        return cls(
            items=[OrderResponse.of(order) for order in page.items],
            total=page.total,
            limit=page.limit,
            offset=page.offset,
        )
