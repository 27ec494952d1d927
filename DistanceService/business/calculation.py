"""The calculation itself, as pure functions: coordinates, geodesic distance, time estimate."""

import math
from collections.abc import Mapping
from typing import Any

from geopy.distance import geodesic

from DistanceService.business.errors import UnusableCoordinates
from DistanceService.business.models import Coordinates, Estimate


def _degrees(address: Mapping[str, Any], key: str, limit: float) -> float:
    value = address.get(key)
    # bool is an int subclass, and a string "59.3" is not a number we were promised.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UnusableCoordinates(f"{key} is {value!r}, not a number")
    if not math.isfinite(value) or not -limit <= value <= limit:
        raise UnusableCoordinates(f"{key} {value!r} is outside -{limit:g}..{limit:g}")
    return float(value)


def coordinates_of(address: Mapping[str, Any]) -> Coordinates:
    """The address's coordinates, or UnusableCoordinates saying what is wrong with them."""
    return Coordinates(_degrees(address, "latitude", 90), _degrees(address, "longitude", 180))


def distance_km(origin: Coordinates, destination: Coordinates) -> float:
    """Geodesic distance on the WGS-84 ellipsoid, rounded to 100 m as we report it."""
    exact = geodesic(
        (origin.latitude, origin.longitude), (destination.latitude, destination.longitude)
    ).km
    return round(exact, 1)


def delivery_minutes(distance: float, preparation_minutes: float, speed_kmh: float) -> int:
    """Cooking plus driving time, rounded half up to whole minutes."""
    return math.floor(preparation_minutes + distance / speed_kmh * 60 + 0.5)


def estimate(
    restaurant: Coordinates,
    destination: Coordinates,
    preparation_minutes: float,
    speed_kmh: float,
) -> Estimate:
    """Distance and delivery time; the minutes follow from the reported (rounded) distance, so
    anyone can check the two numbers against each other."""
    distance = distance_km(restaurant, destination)
    return Estimate(distance, delivery_minutes(distance, preparation_minutes, speed_kmh))
