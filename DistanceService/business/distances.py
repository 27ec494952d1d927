"""The distance use cases: one calculation per order, stored and announced once."""

from dataclasses import dataclass

from loguru import logger

from DistanceService.business.calculation import coordinates_of, estimate
from DistanceService.business.errors import NO_DISTANCE, CustomerUnknown, DistanceNotFound
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
    """Calculate a new order's distance, store it and its `distance.calculated` event; an
    address without usable coordinates (or an unknown customer) is stored as unavailable with
    the reason and announced as `distance.unavailable`, never retried. Returns False for an
    order calculated before (nothing stored or published again). Raises when CustomerService
    cannot be asked (down, timing out), so the message is retried."""
    order_id, customer_id = str(event.metadata.order_id), str(event.metadata.customer_id)
    log = logger.bind(order_id=order_id)
    if await distances.get(order_id) is not None:
        log.info("Distance already calculated, nothing to do")
        return False
    try:
        calculation = await _calculation(order_id, customer_id, customers, restaurant)
    except Exception as error:
        log.warning("Address of customer {} not available: {}", customer_id, error)
        raise
    if not await distances.insert(calculation, calculated_event(calculation)):
        log.info("Distance calculated concurrently by another consumer, nothing to do")
        return False
    if calculation.unavailable_reason is not None:
        log.warning("No distance for this order: {}", calculation.unavailable_reason)
    else:
        log.info(
            "Distance {} km, delivery in about {} min",
            calculation.distance_km,
            calculation.estimated_delivery_minutes,
        )
    return True


async def _calculation(
    order_id: str, customer_id: str, customers: CustomerAddresses, restaurant: Restaurant
) -> DistanceCalculation:
    ids = {"order_id": order_id, "customer_id": customer_id, "calculated_at": now_ms()}
    try:
        destination = coordinates_of(await customers.address(customer_id))
    except NO_DISTANCE as error:
        return DistanceCalculation(**ids, unavailable_reason=f"{_kind(error)}: {error}")
    result = restaurant.estimate(destination)
    return DistanceCalculation(
        **ids,
        latitude=destination.latitude,
        longitude=destination.longitude,
        distance_km=result.distance_km,
        estimated_delivery_minutes=result.estimated_delivery_minutes,
    )


def _kind(error: Exception) -> str:
    if isinstance(error, CustomerUnknown):
        return "customer unknown to CustomerService"
    return "the customer's address has no usable coordinates"


async def get_distance(order_id: str, distances: DistanceRepository) -> DistanceCalculation:
    calculation = await distances.get(order_id)
    if calculation is None:
        raise DistanceNotFound(f"no distance calculated for order {order_id}")
    return calculation
