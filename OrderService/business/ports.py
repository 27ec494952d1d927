"""Interfaces the order rules need; adapters in repository/ and clients/ implement them."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from OrderService.business.models import Order, OrderQuery, Page
from servicekit.contracts import Event
from servicekit.states import States


class Orders(States[Order], Protocol):
    """Stored orders; changes and conditions name fields of `Order`."""

    async def add(self, order: Order, event: Event) -> Order:
        """Store a new order with its event; returns the stored order (the one stored before
        when its idempotency key was used already)."""

    async def get(self, order_id: str) -> Order | None:
        """The order as last seen (a cached copy when there is one): for reading."""

    async def load(self, order_id: str) -> Order | None:
        """The order as stored now: for deciding."""

    async def list(self, query: OrderQuery) -> Page: ...

    async def charge_failed(self, order_id: str, error: str, retry_at: datetime) -> None:
        """Count a charge attempt that was not sent and schedule the next one."""

    async def orders_to_charge(
        self, now: datetime, lease_s: float, limit: int = 50
    ) -> Sequence[Order]:
        """Lease up to `limit` orders whose charge is due (pending, next attempt time passed)."""


class ChargeQueue(Protocol):
    def charge_soon(self, order: Order) -> None:
        """Have a newly placed order charged, in the background."""


class Payments(Protocol):
    async def charge(self, order: Order) -> None:
        """Raises PaymentRefused when refused for good, other errors when it may work later."""

    async def reimburse(self, order: Order) -> None: ...


class Customers(Protocol):
    async def address(self, customer_id: str) -> dict[str, Any]: ...


class Deliveries(Protocol):
    async def book(self, order: Order, address: dict[str, Any]) -> str:
        """Book a driver; returns the delivery id."""

    async def cancel(self, delivery_id: str) -> str | None:
        """Cancel the booking: None when done, the reason when the company cannot."""


class Kitchen(Protocol):
    async def book(self, order: Order) -> str:
        """Book the cooking; returns the kitchen id."""
