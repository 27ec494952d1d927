"""A calculated distance, the place it was calculated for, and the event it causes."""

from dataclasses import dataclass
from datetime import datetime

from servicekit.contracts import Event, status_event


@dataclass(frozen=True)
class Coordinates:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Estimate:
    """How far a place is from the restaurant and how long a delivery there takes."""

    distance_km: float
    estimated_delivery_minutes: int


@dataclass(frozen=True)
class DistanceCalculation:
    """One per order, stored under the order id."""

    order_id: str
    customer_id: str
    latitude: float
    longitude: float
    distance_km: float
    estimated_delivery_minutes: int
    calculated_at: datetime


DistanceEvent = Event


def calculated_event(calculation: DistanceCalculation) -> DistanceEvent:
    """`distance.calculated` for OrderService, which adds the numbers to the order."""
    return status_event(
        "distance.calculated",
        "OrderService",
        calculation.order_id,
        calculation.customer_id,
        distance_km=calculation.distance_km,
        estimated_delivery_minutes=calculation.estimated_delivery_minutes,
    )
