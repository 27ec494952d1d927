"""DistanceService's FastAPI app and event consumer, wired by servicekit from this description."""

from fastapi import FastAPI

from DistanceService.bootstrap import build_ports
from DistanceService.business.errors import DistanceNotFound
from DistanceService.clients.customer_client import SERVICE as CUSTOMERS
from DistanceService.repository.mongo_distance_repository import DISTANCE_INDEXES
from DistanceService.settings import DistanceSettings
from DistanceService.web.events import event_routes
from DistanceService.web.routes import router
from servicekit.service import ServiceSpec, create_service
from servicekit.settings import load_settings

SERVICE = ServiceSpec(
    name="DistanceService",
    description="Delivery distance and time estimate from the restaurant to each order's customer.",
    api=router,
    indexes=[DISTANCE_INDEXES],
    build_ports=build_ports,
    business_errors={DistanceNotFound: 404},
    called_services=[CUSTOMERS],
    event_routes=event_routes,
    one_at_a_time_per_order=False,
)


def create_app(settings: DistanceSettings | None = None) -> FastAPI:
    return create_service(SERVICE, settings or load_settings(DistanceSettings))
