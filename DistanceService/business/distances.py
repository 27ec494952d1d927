"""The distance use cases: one calculation per order, stored and announced once."""

from dataclasses import dataclass

from loguru import logger

from DistanceService.business.calculation import coordinates_of, estimate
from DistanceService.business.errors import DistanceNotFound
from DistanceService.business.messages import OrderCreated
from DistanceService.business.models import (
    Coordinates,
    DistanceCalculation,
    Estimate,
    calculated_event,
)
from DistanceService.business.ports import CustomerAddresses, DistanceRepository
from servicekit.clock import now_ms


@dataclass(frozen=True)
class Restaurant:
    """Where deliveries start, and how long cooking and the ride take."""

    location: Coordinates
    preparation_minutes: float
    speed_kmh: float

    def estimate(self, destination: Coordinates) -> Estimate:
        return estimate(self.location, destination, self.preparation_minutes, self.speed_kmh)


async def calculate_distance(
    event: OrderCreated,
    distances: DistanceRepository,
    customers: CustomerAddresses,
    restaurant: Restaurant,
) -> bool:
    """Calculate a new order's distance, store it and its `distance.calculated` event.
    Returns False for an order calculated before (nothing stored or published again).
    Raises when the customer's coordinates cannot be had, so the message is retried."""
    order_id, customer_id = str(event.metadata.order_id), str(event.metadata.customer_id)
    log = logger.bind(order_id=order_id)
    if await distances.get(order_id) is not None:
        log.info("Distance already calculated, nothing to do")
        return False
    try:
        destination = coordinates_of(await customers.address(customer_id))
    except Exception as error:
        log.warning("Coordinates of customer {} not available: {}", customer_id, error)
        raise
    result = restaurant.estimate(destination)
    calculation = DistanceCalculation(
        order_id=order_id,
        customer_id=customer_id,
        latitude=destination.latitude,
        longitude=destination.longitude,
        distance_km=result.distance_km,
        estimated_delivery_minutes=result.estimated_delivery_minutes,
        calculated_at=now_ms(),
    )
    if not await distances.insert(calculation, calculated_event(calculation)):
        log.info("Distance calculated concurrently by another consumer, nothing to do")
        return False
    log.info(
        "Distance {} km, delivery in about {} min",
        result.distance_km,
        result.estimated_delivery_minutes,
    )
    return True


async def get_distance(order_id: str, distances: DistanceRepository) -> DistanceCalculation:
    calculation = await distances.get(order_id)
    if calculation is None:
        raise DistanceNotFound(f"no distance calculated for order {order_id}")
    return calculation
