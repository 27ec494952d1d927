"""DistanceService's response bodies."""

from dataclasses import asdict
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from DistanceService.business.models import DistanceCalculation

KM = "Geodesic distance from the restaurant in km, to 0.1 km"
MINUTES = "Preparation time plus driving time, in whole minutes"
ORDER_ID = "f0ae32b1-5e6a-4bd9-9a4f-5c2d2e6e0c11"  # the examples' order
RESTAURANT = {"latitude": 59.3326, "longitude": 18.0649}  # the default settings


class Location(BaseModel):
    latitude: float
    longitude: float


class DistanceView(BaseModel):
    """The distance calculated for an order when it was placed, or why there is none."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "order_id": ORDER_ID,
                    "customer_id": "f2861560-e9ed-4463-955f-0c55c3b416fb",
                    "status": "calculated",
                    "latitude": 59.3509,
                    "longitude": 18.0486,
                    "distance_km": 2.2,
                    "estimated_delivery_minutes": 19,
                    "calculated_at": "2026-12-01T18:30:00.301000Z",
                }
            ]
        }
    )

    order_id: str
    customer_id: str
    status: Literal["calculated", "unavailable"]
    latitude: float | None = Field(None, description="The customer's address")
    longitude: float | None = Field(None, description="The customer's address")
    distance_km: float | None = Field(None, ge=0, description=KM)
    estimated_delivery_minutes: int | None = Field(None, ge=0, description=MINUTES)
    unavailable_reason: str | None = Field(
        None, description="Why there is no distance (unavailable only)"
    )
    calculated_at: datetime

    @classmethod
    def of(cls, calculation: DistanceCalculation) -> "DistanceView":
        status = "unavailable" if calculation.unavailable_reason is not None else "calculated"
        return cls.model_validate({**asdict(calculation), "status": status})


class EstimateView(BaseModel):
    """How far a place is from the restaurant and how long a delivery there would take."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"distance_km": 2.2, "estimated_delivery_minutes": 19, "restaurant": RESTAURANT}
            ]
        }
    )

    distance_km: float = Field(ge=0, description=KM)
    estimated_delivery_minutes: int = Field(ge=0, description=MINUTES)
    restaurant: Location
