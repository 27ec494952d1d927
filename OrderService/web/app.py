"""OrderService's FastAPI app and event consumer; its lifespan is the composition root."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from OrderService.business.charges import ChargeDispatcher
from OrderService.business.errors import CancelTooLate, IdempotencyConflict, OrderNotFound
from OrderService.business.orders import OrderWorkflow
from OrderService.clients.outside_clients import HttpCustomers, HttpDeliveries, HttpKitchen
from OrderService.clients.payment_client import HttpPayments
from OrderService.repository.mongo_order_repository import (
    COLLECTION,
    ORDER_INDEXES,
    MongoOrderRepository,
)
from OrderService.repository.redis_order_cache import RedisOrderCache
from OrderService.settings import OrderSettings
from OrderService.web.events import BINDING_KEYS, order_event_handler
from OrderService.web.routes import router
from servicekit import __version__
from servicekit.logging import setup_logging
from servicekit.runtime import Infrastructure
from servicekit.settings import load_settings
from servicekit.web import create_service_app

ERROR_STATUS: dict[type[Exception], int] = {
    OrderNotFound: 404,
    CancelTooLate: 400,
    IdempotencyConflict: 409,
}
CALLED_SERVICES = ["PaymentService", "CustomerService", "DeliveryService", "KitchenService"]


def create_app(settings: OrderSettings | None = None) -> FastAPI:
    settings = settings or load_settings(OrderSettings)
    setup_logging(settings.service_name, settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        infra = await Infrastructure.start(settings, [ORDER_INDEXES])
        repository = MongoOrderRepository(infra.documents(COLLECTION), settings.charge_grace_s)
        workflow = OrderWorkflow(
            repository,
            RedisOrderCache(infra.cache, settings.order_cache_ttl_s),
            HttpPayments(infra.services),
            HttpCustomers(infra.services),
            HttpDeliveries(infra.services),
            HttpKitchen(infra.services),
            max_charge_attempts=settings.charge_max_attempts,
        )
        infra.consumer(BINDING_KEYS, order_event_handler(workflow))
        charges = infra.keep_running(ChargeDispatcher(workflow, repository))
        app.state.infra, app.state.workflow, app.state.charges = infra, workflow, charges
        async with infra.running():
            yield

    return create_service_app(
        "OrderService",
        "Places orders and follows each one from payment to delivery or cancellation.",
        __version__,
        lifespan,
        router,
        settings.api_keys,
        ERROR_STATUS,
        CALLED_SERVICES,
    )
