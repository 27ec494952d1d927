"""An order as the business rules see it, and the commands that start its use cases."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from OrderService.business.charge_progress import ChargeProgress
from OrderService.business.state_machine import OrderStatus
from servicekit.contracts import Event, status_event


@dataclass
class Order:
    id: str
    customer_id: str
    items: list[dict[str, Any]]
    status: OrderStatus
    created_at: datetime
    updated_at: datetime
    history: list[dict[str, Any]] = field(default_factory=list)
    version: int = 1
    delivery_id: str | None = None
    kitchen_id: str | None = None
    failure_reason: str | None = None
    charge: ChargeProgress = ChargeProgress.PENDING
    charge_attempts: int = 0
    reimbursement_requested: bool = False
    delivery_cancelled: bool = False
    delivery_not_cancelled: str | None = None  # why DeliveryService kept the booking
    distance_km: float | None = None
    estimated_delivery_minutes: float | None = None
    distance_unavailable: str | None = None  # why there is no distance
    idempotency_key: str | None = None
    request_fingerprint: str | None = None

    @property
    def was_paid(self) -> bool:
        return any(entry["status"] == OrderStatus.PAYMENT_PAID for entry in self.history)


def order_event(order: Order, routing_key: str, **extra: Any) -> Event:
    return status_event(routing_key, "*", order.id, order.customer_id, items=order.items, **extra)


@dataclass(frozen=True)
class PlaceOrder:
    customer_id: str
    items: list[dict[str, Any]]
    idempotency_key: str | None = None


@dataclass(frozen=True)
class Placed:
    order: Order
    is_new: bool  # False: an idempotent retry answered with the order stored before


@dataclass(frozen=True)
class OrderQuery:
    status: OrderStatus | None = None
    customer_id: str | None = None
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True)
class Page:
    items: list[Order]
    total: int
    limit: int
    offset: int
