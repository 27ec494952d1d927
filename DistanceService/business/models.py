"""A calculated distance (or why there is none), the place it was calculated for, and the event
it causes."""

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
    """One per order, stored under the order id: the numbers, or the reason there are none
    (the customer's address has no coordinates, or the customer is unknown)."""

    order_id: str
    customer_id: str
    calculated_at: datetime
    latitude: float | None = None
    longitude: float | None = None
    distance_km: float | None = None
    estimated_delivery_minutes: int | None = None
    unavailable_reason: str | None = None


DistanceEvent = Event


def calculated_event(calculation: DistanceCalculation) -> DistanceEvent:
    """`distance.calculated` for OrderService, which adds the numbers to the order, or
    `distance.unavailable` with the reason there are none."""
    ids = ("OrderService", calculation.order_id, calculation.customer_id)
    if calculation.unavailable_reason is not None:
        return status_event("distance.unavailable", *ids, reason=calculation.unavailable_reason)
    return status_event(
        "distance.calculated",
        *ids,
        distance_km=calculation.distance_km,
        estimated_delivery_minutes=calculation.estimated_delivery_minutes,
    )
