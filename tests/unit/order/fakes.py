"""Hand-written fakes of OrderService's ports, following the same rules as the real adapters."""

import asyncio
import copy
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from OrderService.business.errors import PaymentRefused
from OrderService.business.models import Order, OrderEvent, Page
from OrderService.business.state_machine import OrderStatus
from servicekit.http import UpstreamUnavailable


class FakeOrderRepository:
    def __init__(self) -> None:
        self.orders: dict[str, Order] = {}
        self.events: list[OrderEvent] = []
        self.charge_retries: list[str] = []

    async def create(self, order: Order, event: OrderEvent) -> Order:
        for existing in self.orders.values():
            if order.idempotency_key and existing.idempotency_key == order.idempotency_key:
                return copy.deepcopy(existing)
        self.orders[order.id] = copy.deepcopy(order)
        self.events.append(event)
        return copy.deepcopy(order)

    async def get(self, order_id: str) -> Order | None:
        return copy.deepcopy(self.orders.get(order_id))

    async def list(self, status, customer_id, limit, offset) -> Page:
        items = [o for o in self.orders.values() if status is None or o.status == status]
        return Page(items[offset : offset + limit], len(items), limit, offset)

    async def delete(self, order_id: str) -> bool:
        return self.orders.pop(order_id, None) is not None

    async def transition(
        self,
        order_id: str,
        allowed_from: Iterable[OrderStatus],
        to: OrderStatus,
        changes: dict[str, Any] | None = None,
        event: OrderEvent | None = None,
    ) -> Order | None:
        order = self.orders.get(order_id)
        if order is None or order.status not in set(allowed_from):
            return None
        history = [*order.history, {"status": to.value, "at": datetime.now(UTC)}]
        updated = replace(
            order, status=to, history=history, version=order.version + 1, **(changes or {})
        )
        self.orders[order_id] = updated
        if event:
            self.events.append(event)
        return copy.deepcopy(updated)

    async def update_fields(self, order_id, changes, only_if=None) -> Order | None:
        order = self.orders.get(order_id)
        if order is None or any(getattr(order, k) != v for k, v in (only_if or {}).items()):
            return None
        self.orders[order_id] = replace(order, version=order.version + 1, **changes)
        return copy.deepcopy(self.orders[order_id])

    async def orders_to_charge(self, now, lease_s, limit=50) -> tuple[Order, ...]:
        return ()

    async def charge_failed(self, order_id: str, error: str, retry_at: datetime) -> None:
        self.charge_retries.append(error)
        self.orders[order_id].charge_attempts += 1


class FakeCache:
    def __init__(self) -> None:
        self.orders: dict[str, Order] = {}

    async def get(self, order_id: str) -> Order | None:
        return self.orders.get(order_id)

    async def put(self, order: Order) -> None:
        current = self.orders.get(order.id)
        if current is None or current.version < order.version:
            self.orders[order.id] = order

    async def remove(self, order_id: str) -> None:
        self.orders.pop(order_id, None)


class FakePayments:
    def __init__(self) -> None:
        self.charged: list[str] = []
        self.reimbursed: list[str] = []
        self.refuse: str | None = None
        self.down = False

    async def charge(self, order: Order) -> None:
        if self.down:
            raise UpstreamUnavailable("PaymentService", "connection refused")
        if self.refuse:
            raise PaymentRefused(self.refuse)
        self.charged.append(order.id)

    async def reimburse(self, order: Order) -> None:
        if self.down:
            raise UpstreamUnavailable("PaymentService", "connection refused")
        self.reimbursed.append(order.id)


class FakeCustomers:
    async def address(self, customer_id: str) -> dict[str, Any]:
        return {
            "name": "A",
            "street": "S 1",
            "zipcode": "111 22",
            "city": "Stockholm",
            "latitude": 59.3,
            "longitude": 18.0,
        }


class FakeDeliveries:
    def __init__(self) -> None:
        self.booked: list[str] = []
        self.cancelled: list[str] = []

    async def book(self, order: Order, address: dict[str, Any]) -> str:
        """Like the real company with our Idempotency-Key: one booking per order."""
        self.booked.append(order.id)
        await asyncio.sleep(0)  # a network call: lets a concurrent handler run meanwhile
        return f"delivery-{self.booked.index(order.id) + 1}"

    async def cancel(self, delivery_id: str) -> None:
        self.cancelled.append(delivery_id)


class FakeKitchen:
    def __init__(self) -> None:
        self.booked: list[str] = []

    async def book(self, order: Order) -> str:
        self.booked.append(order.id)
        return f"kitchen-{len(self.booked)}"
