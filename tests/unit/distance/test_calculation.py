"""The calculation as pure functions: geodesic distance, time estimate, usable coordinates."""

import math

import pytest

from DistanceService.business.calculation import (
    coordinates_of,
    delivery_minutes,
    distance_km,
    estimate,
)
from DistanceService.business.errors import UnusableCoordinates
from DistanceService.business.models import Coordinates, Estimate

STOCKHOLM = Coordinates(59.3293, 18.0686)
GOTHENBURG = Coordinates(57.7089, 11.9746)


def test_stockholm_to_gothenburg_is_about_398_km() -> None:
    assert 395 < distance_km(STOCKHOLM, GOTHENBURG) < 401


def test_distance_is_the_same_both_ways() -> None:
    assert distance_km(STOCKHOLM, GOTHENBURG) == distance_km(GOTHENBURG, STOCKHOLM)


def test_a_place_is_zero_km_from_itself() -> None:
    assert distance_km(STOCKHOLM, STOCKHOLM) == 0.0


def test_distance_is_rounded_to_100_metres() -> None:
    distance = distance_km(STOCKHOLM, GOTHENBURG)
    assert distance == round(distance, 1)


@pytest.mark.parametrize(
    ("distance", "preparation", "speed", "minutes"),
    [
        (0.0, 15, 30, 15),  # nothing to drive: only the cooking
        (10.0, 15, 30, 35),  # 10 km at 30 km/h is 20 minutes
        (45.0, 0, 90, 30),
        (0.25, 15, 30, 16),  # 15.5 rounds up
        (0.75, 15, 30, 17),  # 16.5 rounds up too (half up, not to even)
        (0.2, 15, 30, 15),  # 15.4 rounds down
    ],
)
def test_estimate_is_preparation_plus_driving_time_in_whole_minutes(
    distance: float, preparation: float, speed: float, minutes: int
) -> None:
    assert delivery_minutes(distance, preparation, speed) == minutes


def test_estimate_to_the_restaurant_itself_is_the_preparation_time() -> None:
    assert estimate(STOCKHOLM, STOCKHOLM, 15, 30) == Estimate(0.0, 15)


def test_estimate_minutes_follow_from_the_reported_distance() -> None:
    result = estimate(STOCKHOLM, GOTHENBURG, 15, 30)
    assert result.estimated_delivery_minutes == round(15 + result.distance_km / 30 * 60)


def test_coordinates_of_an_address() -> None:
    address = {"street": "Drottninggatan 53", "latitude": 59.3343, "longitude": 18}
    assert coordinates_of(address) == Coordinates(59.3343, 18.0)


@pytest.mark.parametrize(
    "coordinates",
    [
        {},
        {"latitude": 59.3},
        {"latitude": None, "longitude": 18.0},
        {"latitude": "59.3", "longitude": 18.0},
        {"latitude": True, "longitude": 18.0},
        {"latitude": math.nan, "longitude": 18.0},
        {"latitude": 59.3, "longitude": math.inf},
        {"latitude": 90.5, "longitude": 18.0},
        {"latitude": -91, "longitude": 18.0},
        {"latitude": 59.3, "longitude": 180.1},
    ],
)
def test_missing_non_numeric_or_out_of_range_coordinates_are_unusable(coordinates) -> None:
    with pytest.raises(UnusableCoordinates):
        coordinates_of(coordinates)
