"""Hand-written fakes of DistanceService's ports, with the same rules as the real adapters."""

from typing import Any

from DistanceService.business.errors import CustomerUnknown
from DistanceService.business.models import DistanceCalculation, DistanceEvent
from servicekit.http import UpstreamUnavailable

# What the CustomerService mock answers (Drottninggatan 53, Stockholm).
ADDRESS = {
    "name": "Anna Lindqvist",
    "street": "Drottninggatan 53",
    "zipcode": "111 21",
    "city": "Stockholm",
    "latitude": 59.3343,
    "longitude": 18.0617,
}


class FakeDistanceRepository:
    def __init__(self) -> None:
        self.calculations: dict[str, DistanceCalculation] = {}
        self.events: list[DistanceEvent] = []

    async def insert(self, calculation: DistanceCalculation, event: DistanceEvent) -> bool:
        if calculation.order_id in self.calculations:  # the unique _id: nothing stored
            return False
        self.calculations[calculation.order_id] = calculation
        self.events.append(event)
        return True

    async def get(self, order_id: str) -> DistanceCalculation | None:
        return self.calculations.get(order_id)


class RacingDistanceRepository(FakeDistanceRepository):
    """Another consumer stores the order's distance between our look-up and our insert."""

    async def get(self, order_id: str) -> DistanceCalculation | None:
        return None


class FakeCustomers:
    def __init__(self, address: dict[str, Any] | None = None) -> None:
        self.answer = dict(ADDRESS if address is None else address)
        self.down = False
        self.unknown = False
        self.calls: list[str] = []

    async def address(self, customer_id: str) -> dict[str, Any]:
        self.calls.append(customer_id)
        if self.down:
            raise UpstreamUnavailable("CustomerService", "connection refused")
        if self.unknown:
            raise CustomerUnknown(f"customer {customer_id}: not found")
        return dict(self.answer)
