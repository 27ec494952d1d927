"""The distance use cases with fakes: one calculation and one event per order, a missing
distance recorded with its reason, failures to ask CustomerService retried."""

import pytest
from loguru import logger

from DistanceService.business.calculation import estimate
from DistanceService.business.distances import Restaurant, calculate_distance, get_distance
from DistanceService.business.errors import DistanceNotFound
from DistanceService.business.messages import OrderCreated
from DistanceService.business.models import Coordinates
from servicekit.http import UpstreamUnavailable
from tests.unit.distance.fakes import (
    ADDRESS,
    FakeCustomers,
    FakeDistanceRepository,
    RacingDistanceRepository,
)

RESTAURANT = Restaurant(Coordinates(59.3326, 18.0649), 15, 30)
O1, C1 = "6f1f8b36-4c1e-4d0e-9a51-0f6f3c1a0001", "2b7a2c4e-3f0d-4f7b-8c1a-5d9e6b1c0001"


def order_created(order_id: str = O1, customer_id: str = C1) -> OrderCreated:
    metadata = {"receiver": "*", "order_id": order_id, "customer_id": customer_id}
    return OrderCreated.model_validate({"status": "created", "metadata": metadata})


class Calculator:
    """The use case bound to its ports, as the event table binds it."""

    def __init__(self, repository, customers, restaurant: Restaurant = RESTAURANT) -> None:
        self.repository, self.customers, self.restaurant = repository, customers, restaurant

    async def __call__(self, order_id: str = O1, customer_id: str = C1) -> bool:
        event = order_created(order_id, customer_id)
        return await calculate_distance(event, self.repository, self.customers, self.restaurant)


@pytest.fixture
def repository() -> FakeDistanceRepository:
    return FakeDistanceRepository()


@pytest.fixture
def customers() -> FakeCustomers:
    return FakeCustomers()


@pytest.fixture
def calculate(repository, customers) -> Calculator:
    return Calculator(repository, customers)


@pytest.fixture
def warnings() -> list[dict]:
    records: list[dict] = []
    sink = logger.add(lambda message: records.append(message.record), level="WARNING")
    yield records
    logger.remove(sink)


async def test_new_order_stores_the_calculation_and_one_event(
    calculate, repository, customers
) -> None:
    assert await calculate() is True
    expected = estimate(RESTAURANT.location, Coordinates(59.3343, 18.0617), 15, 30)
    stored = repository.calculations[O1]
    assert (stored.order_id, stored.customer_id) == (O1, C1)
    assert (stored.latitude, stored.longitude) == (59.3343, 18.0617)
    assert stored.distance_km == expected.distance_km == 0.3
    assert stored.estimated_delivery_minutes == expected.estimated_delivery_minutes == 16
    assert stored.calculated_at.tzinfo is not None
    assert customers.calls == [C1]
    [event] = repository.events
    assert event.routing_key == "distance.calculated"
    assert event.body == {
        "status": "calculated",
        "metadata": {"receiver": "OrderService", "order_id": O1, "customer_id": C1},
        "distance_km": 0.3,
        "estimated_delivery_minutes": 16,
    }


async def test_repeated_order_created_stores_and_publishes_nothing_new(
    calculate, repository, customers
) -> None:
    await calculate()
    first = repository.calculations[O1]
    assert await calculate() is False
    assert repository.calculations == {O1: first}
    assert len(repository.events) == 1
    assert customers.calls == [C1]  # not even asked again


async def test_concurrent_duplicate_is_refused_by_the_store_and_publishes_nothing(
    customers,
) -> None:
    repository = RacingDistanceRepository()
    calculate = Calculator(repository, customers)
    assert await calculate() is True
    assert await calculate() is False
    assert len(repository.calculations) == len(repository.events) == 1


@pytest.mark.parametrize(
    "coordinates",
    [
        {"latitude": None, "longitude": None},
        {"latitude": "59.33", "longitude": "18.06"},
        {"latitude": 123.0, "longitude": 18.06},
    ],
)
async def test_unusable_coordinates_are_stored_as_unavailable_with_the_reason(
    repository, coordinates, warnings
) -> None:
    calculate = Calculator(repository, FakeCustomers({**ADDRESS, **coordinates}))
    assert await calculate() is True
    stored = repository.calculations[O1]
    assert stored.distance_km is None
    assert "no usable coordinates: latitude" in stored.unavailable_reason
    [event] = repository.events
    assert event.routing_key == "distance.unavailable"
    assert event.body["reason"] == stored.unavailable_reason
    assert [record["extra"].get("order_id") for record in warnings] == [O1]
    assert await calculate() is False  # redelivered: nothing stored or published again
    assert len(repository.events) == 1


async def test_an_address_as_the_original_contract_gives_it_has_no_distance(repository) -> None:
    original = {key: ADDRESS[key] for key in ("name", "street", "zipcode", "city")}
    await Calculator(repository, FakeCustomers(original))()
    assert "latitude is None" in repository.calculations[O1].unavailable_reason


async def test_an_unknown_customer_has_no_distance(repository, customers) -> None:
    customers.unknown = True
    await Calculator(repository, customers)()
    assert repository.calculations[O1].unavailable_reason.startswith("customer unknown")
    assert repository.events[0].routing_key == "distance.unavailable"


async def test_customer_service_failure_raises_and_stores_nothing(
    calculate, repository, customers, warnings
) -> None:
    customers.down = True
    with pytest.raises(UpstreamUnavailable):
        await calculate()
    assert repository.calculations == {} and repository.events == []
    assert [record["extra"].get("order_id") for record in warnings] == [O1]
    customers.down = False  # the retry of the message then works
    assert await calculate() is True
    assert len(repository.events) == 1


async def test_get_returns_the_stored_calculation_or_raises_not_found(
    calculate, repository
) -> None:
    with pytest.raises(DistanceNotFound):
        await get_distance(O1, repository)
    await calculate()
    assert (await get_distance(O1, repository)).distance_km == 0.3


def test_estimate_for_any_place_uses_the_configured_restaurant_and_speeds() -> None:
    slow = Restaurant(RESTAURANT.location, 20, 10)
    result = slow.estimate(Coordinates(59.3326, 18.0649))
    assert (result.distance_km, result.estimated_delivery_minutes) == (0.0, 20)
    assert slow.estimate(Coordinates(59.3343, 18.0617)).estimated_delivery_minutes == 22
