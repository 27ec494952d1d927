"""The interfaces the payment rules need; adapters in repository/ and clients/ implement them."""

from collections.abc import Sequence
from typing import Any, Protocol

from PaymentService.business.models import Billing, Payment, PaymentEvent
from servicekit.states import States


class Payments(States[Payment], Protocol):
    """The stored payments (a servicekit StateStore): every change is one conditional write."""

    async def insert(self, payment: Payment, events: Sequence[PaymentEvent] = ()) -> bool:
        """Store a new payment; False when the order already has one."""

    async def find_one(self, **equal: Any) -> Payment | None: ...


class ProcessedWebhooks(Protocol):
    """The webhook-ids of the card company's callbacks processed before (kept for days)."""

    async def seen(self, webhook_id: str) -> bool: ...

    async def remember(self, webhook_id: str, caller_id: str) -> None: ...


class CustomerBilling(Protocol):
    async def billing(self, customer_id: str, items: list[dict[str, Any]]) -> Billing: ...


class CardCompany(Protocol):
    """Raises CardCompanyUnreachable when a request certainly did not arrive; any other error
    leaves it unknown whether it did. A repeated `caller_id` is the same request to it."""

    async def bill(self, caller_id: str, billing: Billing, callback_url: str) -> str:
        """Ask for a charge; returns the card company's transaction id."""

    async def reimburse(self, caller_id: str, billing: Billing, callback_url: str) -> str: ...
