"""Hand-written fakes of PaymentService's ports, with the same rules as the real adapters."""

import copy
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from PaymentService.business.errors import CardCompanyUnreachable, CustomerNotFound
from PaymentService.business.models import Billing, Payment, PaymentEvent, PaymentStatus
from servicekit.http import UpstreamTimeout


class FakePaymentRepository:
    def __init__(self) -> None:
        self.payments: dict[str, Payment] = {}
        self.events: list[PaymentEvent] = []

    async def insert(self, payment: Payment) -> bool:
        if any(p.order_id == payment.order_id for p in self.payments.values()):
            return False
        self.payments[payment.id] = copy.deepcopy(payment)
        return True

    async def get(self, payment_id: str) -> Payment | None:
        return copy.deepcopy(self.payments.get(payment_id))

    async def get_by_order(self, order_id: str) -> Payment | None:
        found = [p for p in self.payments.values() if p.order_id == order_id]
        return copy.deepcopy(found[0]) if found else None

    async def delete_unsent(self, payment_id: str) -> None:
        if (
            payment_id in self.payments
            and self.payments[payment_id].status == PaymentStatus.REQUESTED
        ):
            del self.payments[payment_id]

    async def transition(
        self,
        payment_id: str,
        allowed_from: Iterable[PaymentStatus],
        to: PaymentStatus,
        changes: dict[str, Any] | None = None,
        event: PaymentEvent | None = None,
    ) -> Payment | None:
        payment = self.payments.get(payment_id)
        allowed = set(allowed_from)
        if payment is None or payment.status not in allowed:
            return None
        history = list(payment.history)
        if allowed != {to}:
            history.append({"status": to.value, "at": datetime.now(UTC)})
        updated = replace(payment, status=to, history=history, **(changes or {}))
        self.payments[payment_id] = updated
        if event is not None:
            self.events.append(event)
        return copy.deepcopy(updated)


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
