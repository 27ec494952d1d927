"""DistanceService's response bodies."""

from datetime import datetime

from pydantic import BaseModel, Field

from DistanceService.business.models import DistanceCalculation

KM = "Geodesic distance from the restaurant in km, to 0.1 km"
MINUTES = "Preparation time plus driving time, in whole minutes"


class Location(BaseModel):
    latitude: float
    longitude: float


class DistanceView(BaseModel):
    """The distance calculated for an order when it was placed."""

    order_id: str
    customer_id: str
    latitude: float = Field(description="The customer's address")
    longitude: float = Field(description="The customer's address")
    distance_km: float = Field(ge=0, description=KM)
    estimated_delivery_minutes: int = Field(ge=0, description=MINUTES)
    calculated_at: datetime

    @classmethod
    def of(cls, calculation: DistanceCalculation) -> "DistanceView":
        return cls.model_validate(calculation, from_attributes=True)


class EstimateView(BaseModel):
    """How far a place is from the restaurant and how long a delivery there would take."""

    distance_km: float = Field(ge=0, description=KM)
    estimated_delivery_minutes: int = Field(ge=0, description=MINUTES)
    restaurant: Location
