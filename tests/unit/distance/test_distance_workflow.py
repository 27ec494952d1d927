"""The distance workflow with fakes: one calculation and one event per order, failures retried."""

import pytest
from loguru import logger

from DistanceService.business.calculation import estimate
from DistanceService.business.distances import DistanceWorkflow
from DistanceService.business.errors import DistanceNotFound, UnusableCoordinates
from DistanceService.business.models import Coordinates
from servicekit.http import UpstreamUnavailable
from tests.unit.distance.fakes import (
    ADDRESS,
    FakeCustomers,
    FakeDistanceRepository,
    RacingDistanceRepository,
)

RESTAURANT = Coordinates(59.3326, 18.0649)


@pytest.fixture
def repository() -> FakeDistanceRepository:
    return FakeDistanceRepository()


@pytest.fixture
def customers() -> FakeCustomers:
    return FakeCustomers()


@pytest.fixture
def workflow(repository, customers) -> DistanceWorkflow:
    return DistanceWorkflow(repository, customers, RESTAURANT, 15, 30)


@pytest.fixture
def warnings() -> list[dict]:
    records: list[dict] = []
    sink = logger.add(lambda message: records.append(message.record), level="WARNING")
    yield records
    logger.remove(sink)


async def test_new_order_stores_the_calculation_and_one_event(
    workflow, repository, customers
) -> None:
    assert await workflow.calculate_for_order("o1", "c1") is True
    expected = estimate(RESTAURANT, Coordinates(59.3343, 18.0617), 15, 30)
    stored = repository.calculations["o1"]
    assert (stored.order_id, stored.customer_id) == ("o1", "c1")
    assert (stored.latitude, stored.longitude) == (59.3343, 18.0617)
    assert stored.distance_km == expected.distance_km == 0.3
    assert stored.estimated_delivery_minutes == expected.estimated_delivery_minutes == 16
    assert stored.calculated_at.tzinfo is not None
    assert customers.calls == ["c1"]
    [event] = repository.events
    assert event.routing_key == "distance.calculated"
    assert event.body == {
        "status": "calculated",
        "metadata": {"receiver": "OrderService", "order_id": "o1", "customer_id": "c1"},
        "distance_km": 0.3,
        "estimated_delivery_minutes": 16,
    }


async def test_repeated_order_created_stores_and_publishes_nothing_new(
    workflow, repository, customers
) -> None:
    await workflow.calculate_for_order("o1", "c1")
    first = repository.calculations["o1"]
    assert await workflow.calculate_for_order("o1", "c1") is False
    assert repository.calculations == {"o1": first}
    assert len(repository.events) == 1
    assert customers.calls == ["c1"]  # not even asked again


async def test_concurrent_duplicate_is_refused_by_the_store_and_publishes_nothing(
    customers,
) -> None:
    repository = RacingDistanceRepository()
    workflow = DistanceWorkflow(repository, customers, RESTAURANT, 15, 30)
    assert await workflow.calculate_for_order("o1", "c1") is True
    assert await workflow.calculate_for_order("o1", "c1") is False
    assert len(repository.calculations) == len(repository.events) == 1


@pytest.mark.parametrize(
    "coordinates",
    [
        {"latitude": None, "longitude": None},
        {"latitude": "59.33", "longitude": "18.06"},
        {"latitude": 123.0, "longitude": 18.06},
    ],
)
async def test_unusable_coordinates_raise_and_store_nothing(
    repository, coordinates, warnings
) -> None:
    workflow = DistanceWorkflow(
        repository, FakeCustomers({**ADDRESS, **coordinates}), RESTAURANT, 15, 30
    )
    with pytest.raises(UnusableCoordinates):
        await workflow.calculate_for_order("o1", "c1")
    assert repository.calculations == {} and repository.events == []
    assert [record["extra"].get("order_id") for record in warnings] == ["o1"]


async def test_address_without_coordinates_raises(repository) -> None:
    address = {key: value for key, value in ADDRESS.items() if key != "longitude"}
    workflow = DistanceWorkflow(repository, FakeCustomers(address), RESTAURANT, 15, 30)
    with pytest.raises(UnusableCoordinates, match="longitude"):
        await workflow.calculate_for_order("o1", "c1")
    assert repository.calculations == {}


async def test_customer_service_failure_raises_and_stores_nothing(
    workflow, repository, customers, warnings
) -> None:
    customers.down = True
    with pytest.raises(UpstreamUnavailable):
        await workflow.calculate_for_order("o1", "c1")
    assert repository.calculations == {} and repository.events == []
    assert [record["extra"].get("order_id") for record in warnings] == ["o1"]
    customers.down = False  # the retry of the message then works
    assert await workflow.calculate_for_order("o1", "c1") is True
    assert len(repository.events) == 1


async def test_get_returns_the_stored_calculation_or_raises_not_found(workflow) -> None:
    with pytest.raises(DistanceNotFound):
        await workflow.get("o1")
    await workflow.calculate_for_order("o1", "c1")
    assert (await workflow.get("o1")).distance_km == 0.3


def test_estimate_for_any_place_uses_the_configured_restaurant_and_speeds(repository) -> None:
    slow = DistanceWorkflow(repository, FakeCustomers(), RESTAURANT, 20, 10)
    result = slow.estimate(Coordinates(59.3326, 18.0649))
    assert (result.distance_km, result.estimated_delivery_minutes) == (0.0, 20)
    assert slow.estimate(Coordinates(59.3343, 18.0617)).estimated_delivery_minutes == 22
