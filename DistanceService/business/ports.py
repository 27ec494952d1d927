"""The interfaces the distance rules need; adapters in repository/ and clients/ implement them."""

from typing import Any, Protocol

from DistanceService.business.models import DistanceCalculation, DistanceEvent


class DistanceRepository(Protocol):
    async def insert(self, calculation: DistanceCalculation, event: DistanceEvent) -> bool:
        """Store the calculation and its event in one transaction; False (nothing stored)
        when the order already has one."""

    async def get(self, order_id: str) -> DistanceCalculation | None: ...


class CustomerAddresses(Protocol):
    async def address(self, customer_id: str) -> dict[str, Any]:
        """The customer's address as CustomerService gives it; CustomerUnknown for a customer
        it does not know, another error when it cannot be asked."""
