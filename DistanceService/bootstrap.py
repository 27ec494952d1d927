"""DistanceService's composition root: the ports its use cases get, built once per process."""

from dataclasses import dataclass

from DistanceService.business.distances import Restaurant
from DistanceService.business.models import Coordinates
from DistanceService.business.ports import CustomerAddresses, DistanceRepository
from DistanceService.clients.customer_client import HttpCustomerAddresses
from DistanceService.repository.mongo_distance_repository import (
    COLLECTION,
    MongoDistanceRepository,
)
from DistanceService.settings import DistanceSettings
from servicekit.runtime import Infrastructure


@dataclass(frozen=True)
class DistancePorts:
    distances: DistanceRepository
    customers: CustomerAddresses
    restaurant: Restaurant


def build_ports(infra: Infrastructure, settings: DistanceSettings) -> DistancePorts:
    return DistancePorts(
        distances=MongoDistanceRepository(infra.documents(COLLECTION)),
        customers=HttpCustomerAddresses(infra.services),
        restaurant=Restaurant(
            Coordinates(settings.restaurant_latitude, settings.restaurant_longitude),
            settings.preparation_minutes,
            settings.travel_speed_kmh,
        ),
    )
