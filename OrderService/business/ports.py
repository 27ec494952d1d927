"""Interfaces the order rules need; adapters in repository/ and clients/ implement them."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

from OrderService.business.models import Order, OrderEvent, Page
from OrderService.business.state_machine import OrderStatus


class OrderRepository(Protocol):
    async def create(self, order: Order, event: OrderEvent) -> Order:
        """Store a new order with its event; returns the stored order (the existing one when
        the idempotency key was used before)."""

    async def get(self, order_id: str) -> Order | None: ...

    async def list(
        self, status: OrderStatus | None, customer_id: str | None, limit: int, offset: int
    ) -> Page: ...

    async def delete(self, order_id: str) -> bool: ...

    async def transition(
        self,
        order_id: str,
        allowed_from: Iterable[OrderStatus],
        to: OrderStatus,
        changes: dict[str, Any] | None = None,
        event: OrderEvent | None = None,
    ) -> Order | None:
        """Atomically move the order to `to` if its status is one of `allowed_from`, storing
        `changes`, a history entry and the event; None (nothing stored) when it is not."""

    async def update_fields(
        self, order_id: str, changes: dict[str, Any], only_if: dict[str, Any] | None = None
    ) -> Order | None:
        """Set fields without a status change (ids, distance, flags); None when no match."""

    async def orders_to_charge(
        self, now: datetime, lease_s: float, limit: int = 50
    ) -> Sequence[Order]:
        """Lease up to `limit` orders whose charge is due (pending, next attempt time passed)."""

    async def charge_failed(self, order_id: str, error: str, retry_at: datetime) -> None: ...


class OrderCache(Protocol):
    async def get(self, order_id: str) -> Order | None: ...

    async def put(self, order: Order) -> None: ...

    async def remove(self, order_id: str) -> None: ...


class Payments(Protocol):
    async def charge(self, order: Order) -> None:
        """Raises PaymentRefused when refused for good, other errors when it may work later."""

    async def reimburse(self, order: Order) -> None: ...


class Customers(Protocol):
    async def address(self, customer_id: str) -> dict[str, Any]: ...


class Deliveries(Protocol):
    async def book(self, order: Order, address: dict[str, Any]) -> str:
        """Book a driver; returns the delivery id."""

    async def cancel(self, delivery_id: str) -> None: ...


class Kitchen(Protocol):
    async def book(self, order: Order) -> str:
        """Book the cooking; returns the kitchen id."""
