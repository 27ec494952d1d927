"""DistanceService's FastAPI app and event consumer; its lifespan is the composition root."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from DistanceService.business.distances import DistanceWorkflow
from DistanceService.business.errors import DistanceNotFound
from DistanceService.business.models import Coordinates
from DistanceService.clients.customer_client import SERVICE as CUSTOMERS
from DistanceService.clients.customer_client import HttpCustomerAddresses
from DistanceService.repository.mongo_distance_repository import (
    COLLECTION,
    DISTANCE_INDEXES,
    MongoDistanceRepository,
)
from DistanceService.settings import DistanceSettings
from DistanceService.web.events import BINDING_KEYS, distance_event_handler
from DistanceService.web.routes import router
from servicekit import __version__
from servicekit.logging import setup_logging
from servicekit.runtime import Infrastructure
from servicekit.settings import load_settings
from servicekit.web import create_service_app

ERROR_STATUS: dict[type[Exception], int] = {DistanceNotFound: 404}


def create_app(settings: DistanceSettings | None = None) -> FastAPI:
    settings = settings or load_settings(DistanceSettings)
    setup_logging(settings.service_name, settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        infra = await Infrastructure.start(settings, [DISTANCE_INDEXES])
        workflow = DistanceWorkflow(
            MongoDistanceRepository(infra.documents(COLLECTION)),
            HttpCustomerAddresses(infra.services),
            Coordinates(settings.restaurant_latitude, settings.restaurant_longitude),
            settings.preparation_minutes,
            settings.travel_speed_kmh,
        )
        infra.consumer(BINDING_KEYS, distance_event_handler(workflow))
        app.state.infra, app.state.workflow = infra, workflow
        async with infra.running():
            yield

    return create_service_app(
        "DistanceService",
        "Delivery distance and time estimate from the restaurant to each order's customer.",
        __version__,
        lifespan,
        router,
        settings.api_keys,
        ERROR_STATUS,
        [CUSTOMERS],
    )
