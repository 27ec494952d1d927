"""Fakes of PaymentService's ports, with the same rules as the real adapters."""

from typing import Any

from PaymentService.business.errors import CardCompanyUnreachable, CustomerNotFound
from PaymentService.business.models import Billing, Payment
from servicekit.http import UpstreamTimeout
from tests.unit.state_store_fake import InMemoryStateStore


def payment_store() -> InMemoryStateStore[Payment]:
    """The stored payments as the real store keeps them: one payment per order."""
    return InMemoryStateStore(unique=("order_id",))


class FakeCustomers:
    def __init__(self, amount: float = 250.0, known: bool = True) -> None:
        self.amount = amount
        self.known = known
        self.calls: list[str] = []

    async def billing(self, customer_id: str, items: list[dict[str, Any]]) -> Billing:
        self.calls.append(customer_id)
        if not self.known:
            raise CustomerNotFound(f"customer {customer_id} not found")
        card = {
            "card_holder": "A",
            "card_number": "4111111111111111",
            "expiry_date": "12/29",
            "cvc": "123",
        }
        return Billing(self.amount, "SEK", card)


class FakeProcessedWebhooks:
    """The webhook-ids processed, in memory."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}  # webhook-id: caller_id

    async def seen(self, webhook_id: str) -> bool:
        return webhook_id in self.ids

    async def remember(self, webhook_id: str, caller_id: str) -> None:
        self.ids.setdefault(webhook_id, caller_id)


class FakeCardCompany:
    def __init__(self) -> None:
        self.bills: list[tuple[str, Billing]] = []
        self.reimbursements: list[tuple[str, Billing]] = []
        self.down = False  # refuses connections: the request certainly did not arrive
        self.unclear = False  # times out: the request may or may not have arrived

    def _fail(self) -> None:
        if self.down:
            raise CardCompanyUnreachable("CreditCardService: connection refused")
        if self.unclear:
            raise UpstreamTimeout("CreditCardService", "POST timed out")

    async def bill(self, caller_id: str, billing: Billing, callback_url: str) -> str:
        self._fail()
        self.bills.append((caller_id, billing))
        return f"tx-{len(self.bills)}"

    async def reimburse(self, caller_id: str, billing: Billing, callback_url: str) -> str:
        self._fail()
        self.reimbursements.append((caller_id, billing))
        return f"rx-{len(self.reimbursements)}"
