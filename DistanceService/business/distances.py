"""The distance workflow: one calculation per order, stored and announced once."""

from loguru import logger

from DistanceService.business.calculation import coordinates_of, estimate
from DistanceService.business.errors import DistanceNotFound
from DistanceService.business.models import (
    Coordinates,
    DistanceCalculation,
    Estimate,
    calculated_event,
)
from DistanceService.business.ports import CustomerAddresses, DistanceRepository
from servicekit.clock import now_ms


class DistanceWorkflow:
    def __init__(
        self,
        repository: DistanceRepository,
        customers: CustomerAddresses,
        restaurant: Coordinates,
        preparation_minutes: float,
        speed_kmh: float,
    ) -> None:
        self._repository = repository
        self._customers = customers
        self.restaurant = restaurant
        self._preparation_minutes = preparation_minutes
        self._speed_kmh = speed_kmh

    def estimate(self, destination: Coordinates) -> Estimate:
        return estimate(self.restaurant, destination, self._preparation_minutes, self._speed_kmh)

    async def calculate_for_order(self, order_id: str, customer_id: str) -> bool:
        """Calculate a new order's distance, store it and its `distance.calculated` event.
        Returns False for an order calculated before (nothing stored or published again).
        Raises when the customer's coordinates cannot be had, so the message is retried."""
        log = logger.bind(order_id=order_id)
        if await self._repository.get(order_id) is not None:
            log.info("Distance already calculated, nothing to do")
            return False
        try:
            destination = coordinates_of(await self._customers.address(customer_id))
        except Exception as error:
            log.warning("Coordinates of customer {} not available: {}", customer_id, error)
            raise
        result = self.estimate(destination)
        calculation = DistanceCalculation(
            order_id=order_id,
            customer_id=customer_id,
            latitude=destination.latitude,
            longitude=destination.longitude,
            distance_km=result.distance_km,
            estimated_delivery_minutes=result.estimated_delivery_minutes,
            calculated_at=now_ms(),
        )
        if not await self._repository.insert(calculation, calculated_event(calculation)):
            log.info("Distance calculated concurrently by another consumer, nothing to do")
            return False
        log.info(
            "Distance {} km, delivery in about {} min",
            result.distance_km,
            result.estimated_delivery_minutes,
        )
        return True

    async def get(self, order_id: str) -> DistanceCalculation:
        calculation = await self._repository.get(order_id)
        if calculation is None:
            raise DistanceNotFound(f"no distance calculated for order {order_id}")
        return calculation
