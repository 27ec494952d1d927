"""OrderService's use cases wired to fakes the way bootstrap wires the real adapters; events go
through the real routing table and typed subscriber."""

from functools import partial

from OrderService.bootstrap import OrderPorts
from OrderService.business.charge import ChargePolicy, charge_order
from OrderService.business.models import Order, PlaceOrder, order_event
from OrderService.business.place import place_order
from OrderService.business.ports import Payments
from OrderService.business.state_machine import OrderStatus
from OrderService.repository.cached_order_repository import CachedOrderRepository
from OrderService.web.events import event_routes
from servicekit.broker import InboundMessage, subscriber
from servicekit.contracts import status_event
from tests.unit.order.fakes import (
    FakeCache,
    FakeChargeQueue,
    FakeCustomers,
    FakeDeliveries,
    FakeKitchen,
    FakeOrders,
    FakePayments,
)

ITEMS = [{"product": "Lasagna", "quantity": 1}]


class World:
    def __init__(self, payments: Payments | None = None, max_charge_attempts: int = 100) -> None:
        self.stored = FakeOrders()
        self.cache = FakeCache()
        self.orders = CachedOrderRepository(self.stored, self.cache)  # type: ignore[arg-type]
        self.payments = payments or FakePayments()
        self.deliveries = FakeDeliveries()
        self.kitchen = FakeKitchen()
        self.charges = FakeChargeQueue()
        self.ports = OrderPorts(
            self.orders, self.charges, self.payments, FakeCustomers(), self.deliveries, self.kitchen
        )
        self.routes = event_routes(self.ports)
        self.handle = subscriber(self.routes)
        policy = ChargePolicy(max_attempts=max_charge_attempts)
        self.charge = partial(
            charge_order, orders=self.orders, payments=self.payments, policy=policy
        )

    async def place(self, key: str | None = None, customer_id: str = "c1") -> Order:
        placed = await place_order(PlaceOrder(customer_id, ITEMS, key), self.orders, self.charges)
        return placed.order

    async def placed(self, key: str | None = None) -> str:
        """A new order, charged the way the charge queue does it."""
        order = await self.place(key)
        await self.charge(self.charges.queued[-1])
        return order.id

    async def charge_again(self, order_id: str) -> None:
        """What the sweep does with an order whose charge is due."""
        await self.charge(self.stored.items[order_id])

    def key_of(self, status: OrderStatus) -> str:
        return next(key for key in self.routes if key.split(".", 1)[1] == status.value)

    async def advance(self, order_id: str, *statuses: OrderStatus) -> None:
        for status in statuses:
            event = status_event(self.key_of(status), "OrderService", order_id, "c1")
            await self.handle(InboundMessage(event.routing_key, event.body))

    async def cancelled_event_handled(self, order_id: str) -> None:
        event = order_event(self.stored.items[order_id], "order.cancelled")
        await self.handle(InboundMessage(event.routing_key, event.body))

    def order(self, order_id: str) -> Order:
        return self.stored.items[order_id]

    def status(self, order_id: str) -> OrderStatus:
        return self.order(order_id).status

    def history(self, order_id: str) -> list[str]:
        return [entry["status"] for entry in self.order(order_id).history]

    def events(self) -> list[str]:
        return [event.routing_key for event in self.stored.events]
