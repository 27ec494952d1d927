"""Hand-written fakes of OrderService's ports, following the same rules as the real adapters."""

import asyncio
from datetime import datetime
from typing import Any

from OrderService.business.errors import PaymentRefused
from OrderService.business.models import Order, OrderQuery, Page
from servicekit.contracts import Event
from servicekit.http import UpstreamUnavailable
from tests.unit.state_store_fake import InMemoryStateStore


class FakeOrders(InMemoryStateStore[Order]):
    """The order store's rules in memory (one order per idempotency key)."""

    def __init__(self) -> None:
        super().__init__(unique=("idempotency_key",))
        self.charge_retries: list[str] = []

    async def add(self, order: Order, event: Event) -> Order:
        if await self.insert(order, [event]):
            return order
        stored = await self.find_one(idempotency_key=order.idempotency_key)
        assert stored is not None
        return stored

    async def load(self, order_id: str) -> Order | None:
        return await self.get(order_id)

    async def list(self, query: OrderQuery) -> Page:
        found = [o for o in self.items.values() if query.status in (None, o.status)]
        return Page(found[query.offset : query.offset + query.limit], len(found), query.limit, 0)

    async def orders_to_charge(self, now, lease_s, limit=50) -> tuple[Order, ...]:
        return ()

    async def charge_failed(self, order_id: str, error: str, retry_at: datetime) -> None:
        self.charge_retries.append(error)
        self.items[order_id].charge_attempts += 1


class FakeCache:
    """RedisOrderCache's rules: the newest version wins."""

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


class FakeChargeQueue:
    def __init__(self) -> None:
        self.queued: list[Order] = []

    def charge_soon(self, order: Order) -> None:
        self.queued.append(order)


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
        self.no_cancel: str | None = None  # a company without a cancel: why it cannot

    async def book(self, order: Order, address: dict[str, Any]) -> str:
        """Like the real company with our Idempotency-Key: one booking per order."""
        self.booked.append(order.id)
        await asyncio.sleep(0)  # a network call: lets a concurrent handler run meanwhile
        return f"delivery-{self.booked.index(order.id) + 1}"

    async def cancel(self, delivery_id: str) -> str | None:
        if self.no_cancel is not None:
            return self.no_cancel
        self.cancelled.append(delivery_id)
        return None


class FakeKitchen:
    def __init__(self) -> None:
        self.booked: list[str] = []

    async def book(self, order: Order) -> str:
        self.booked.append(order.id)
        return f"kitchen-{len(self.booked)}"
