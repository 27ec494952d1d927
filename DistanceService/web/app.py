"""DistanceService's FastAPI app and event consumer; its lifespan is the composition root."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from loguru import logger

from DistanceService.business.distances import DistanceWorkflow
from DistanceService.business.errors import DistanceNotFound
from DistanceService.business.models import Coordinates
from DistanceService.clients.customer_client import SERVICE as CUSTOMERS
from DistanceService.clients.customer_client import HttpCustomerAddresses
from DistanceService.repository.mongo_distance_repository import MongoDistanceRepository
from DistanceService.settings import DistanceSettings
from DistanceService.web.events import BINDING_KEYS, distance_event_handler
from DistanceService.web.routes import router
from servicekit import __version__
from servicekit.broker import QueueConsumer, ServiceQueue
from servicekit.health import HealthCheck, expect
from servicekit.logging import setup_logging
from servicekit.outbox import OUTBOX_INDEXES
from servicekit.runtime import Infrastructure
from servicekit.settings import load_settings
from servicekit.web import api_key_guard, create_service_app, health_router

ERROR_STATUS: dict[type[Exception], int] = {DistanceNotFound: 404}


def create_app(settings: DistanceSettings | None = None) -> FastAPI:
    settings = settings or load_settings(DistanceSettings)
    setup_logging(settings.service_name, settings.log_level, settings.log_json)
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Distances are read only by _id (the order id): the outbox is all that needs indexes.
        infra = await Infrastructure.start(settings, [OUTBOX_INDEXES])
        outbox, relay = infra.outbox()
        workflow = DistanceWorkflow(
            MongoDistanceRepository(infra.mongo.db, outbox, relay),
            HttpCustomerAddresses(infra.services),
            Coordinates(settings.restaurant_latitude, settings.restaurant_longitude),
            settings.preparation_minutes,
            settings.travel_speed_kmh,
        )
        consumer = QueueConsumer(
            infra.broker,
            infra.publisher,
            ServiceQueue(
                settings.work_queue,
                BINDING_KEYS,
                settings.retry_delays_ms,
                settings.queue_type,
            ),
            distance_event_handler(workflow),
            settings.prefetch_count,
        )
        app.state.workflow = workflow
        await consumer.start()
        relay.start()
        state.update(infra=infra, consumer=consumer)
        logger.info("DistanceService ready on port {}", settings.port)
        try:
            yield
        finally:
            await consumer.stop()
            await relay.stop()
            await infra.close()
            logger.info("DistanceService stopped")

    def consumer_check() -> HealthCheck:
        consumer: QueueConsumer = state["consumer"]
        return HealthCheck("consumer", expect(lambda: consumer.is_running, "consumer stopped"))

    app = create_service_app(
        "DistanceService",
        "Delivery distance and time estimate from the restaurant to each order's customer.",
        __version__,
        lifespan,
        ERROR_STATUS,
    )
    app.include_router(
        router, dependencies=[Depends(api_key_guard(settings.service_api_key.get_secret_value()))]
    )
    app.include_router(
        health_router(
            lambda: state["infra"].health_report([CUSTOMERS], [consumer_check()]),
            lambda: state["infra"].readiness([consumer_check()]),
        )
    )
    return app
