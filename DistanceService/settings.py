"""DistanceService's settings: the shared ones plus where the restaurant is and how fast we are."""

from pydantic import Field

from servicekit.settings import ServiceSettings


class DistanceSettings(ServiceSettings):
    service_name: str = "DistanceService"
    host: str = "127.0.0.1"
    port: int = Field(8005, ge=1, le=65535)
    # Where every delivery starts (default: central Stockholm).
    restaurant_latitude: float = Field(59.3326, ge=-90, le=90)
    restaurant_longitude: float = Field(18.0649, ge=-180, le=180)
    # The estimate is cooking time plus driving time at an average city speed.
    preparation_minutes: int = Field(15, ge=0, le=24 * 60)
    travel_speed_kmh: float = Field(30.0, gt=0, le=300)
