"""OrderService's request and response bodies (unknown fields are refused with 422)."""

from datetime import datetime
from uuid import UUID

import ujson
from pydantic import BaseModel, ConfigDict, Field

from OrderService.business.models import Order, Page
from OrderService.business.state_machine import OrderStatus
from servicekit.contracts import Item


class OrderRequest(BaseModel):
    """A customer's order: who and what."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "customer_id": "f2861560-e9ed-4463-955f-0c55c3b416fb",
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
            "failure_reason": order.failure_reason,
            "history": [
                {"status": entry["status"], "at": _time(entry["at"])} for entry in order.history
            ],
        },
        ensure_ascii=False,
    )


class OrderPage(BaseModel):
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
