"""`/v1/distances` and `/v1/distance`: stored calculations and estimates for any place."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request

from DistanceService.bootstrap import DistancePorts
from DistanceService.business.distances import get_distance as stored_distance
from DistanceService.business.models import Coordinates
from DistanceService.web.schemas import ORDER_ID, DistanceView, EstimateView, Location
from servicekit.openapi_responses import DATABASE_DOWN, invalid, invalid_uuid, not_found

router = APIRouter(prefix="/v1", tags=["distances"])


async def _ports(request: Request) -> DistancePorts:
    return request.app.state.ports


Ports = Annotated[DistancePorts, Depends(_ports)]


@router.get(
    "/distances/{order_id}",
    response_model=DistanceView,
    responses={
        **not_found(
            "distance calculated for this order (yet)",
            f"no distance calculated for order {ORDER_ID}",
        ),
        **invalid_uuid("path", "order_id"),
        **DATABASE_DOWN,
    },
)
async def get_distance(
    order_id: Annotated[UUID, Path(examples=[ORDER_ID])], ports: Ports
) -> DistanceView:
    """The distance and delivery estimate calculated for an order when it was placed."""
    return DistanceView.of(await stored_distance(str(order_id), ports.distances))


@router.get(
    "/distance",
    response_model=EstimateView,
    responses=invalid(
        ["query", "latitude"], "Input should be less than or equal to 90", "less_than_equal"
    ),
)
async def estimate_distance(
    ports: Ports,
    latitude: Annotated[float, Query(ge=-90, le=90, examples=[59.3509])],
    longitude: Annotated[float, Query(ge=-180, le=180, examples=[18.0486])],
) -> EstimateView:
    """Distance and delivery estimate from the restaurant to any place (nothing is stored)."""
    result = ports.restaurant.estimate(Coordinates(latitude, longitude))
    restaurant = ports.restaurant.location
    return EstimateView(
        distance_km=result.distance_km,
        estimated_delivery_minutes=result.estimated_delivery_minutes,
        restaurant=Location(latitude=restaurant.latitude, longitude=restaurant.longitude),
    )
