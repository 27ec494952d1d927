"""The interfaces the payment rules need; adapters in repository/ and clients/ implement them."""

from collections.abc import Iterable
from typing import Any, Protocol

from PaymentService.business.models import Billing, Payment, PaymentEvent, PaymentStatus


class PaymentRepository(Protocol):
    async def insert(self, payment: Payment) -> bool:
        """Store a new payment; False when the order already has one."""

    async def get(self, payment_id: str) -> Payment | None: ...

    async def get_by_order(self, order_id: str) -> Payment | None: ...

    async def delete_unsent(self, payment_id: str) -> None:
        """Delete a payment still `requested` (its billing request never reached anyone)."""

    async def transition(
        self,
        payment_id: str,
        allowed_from: Iterable[PaymentStatus],
        to: PaymentStatus,
        changes: dict[str, Any] | None = None,
        event: PaymentEvent | None = None,
    ) -> Payment | None:
        """Atomically move the payment to `to` if its status is one of `allowed_from`, storing
        `changes` and the event in one transaction; None (and nothing stored) when it is not."""


class CustomerBilling(Protocol):
    async def billing(self, customer_id: str, items: list[dict[str, Any]]) -> Billing: ...


class CardCompany(Protocol):
    """Raises CardCompanyUnreachable when a request certainly did not arrive; any other error
    leaves it unknown whether it did. A repeated `caller_id` is the same request to it."""

    async def bill(self, caller_id: str, billing: Billing, callback_url: str) -> str:
        """Ask for a charge; returns the card company's transaction id."""

    async def reimburse(self, caller_id: str, billing: Billing, callback_url: str) -> str: ...
