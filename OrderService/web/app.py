"""OrderService's FastAPI app and event consumer; its lifespan is the composition root."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from loguru import logger

from OrderService.business.charges import ChargeDispatcher
from OrderService.business.errors import CancelTooLate, IdempotencyConflict, OrderNotFound
from OrderService.business.orders import OrderWorkflow
from OrderService.clients.outside_clients import HttpCustomers, HttpDeliveries, HttpKitchen
from OrderService.clients.payment_client import HttpPayments
from OrderService.repository.mongo_order_repository import ORDER_INDEXES, MongoOrderRepository
from OrderService.repository.redis_order_cache import RedisOrderCache
from OrderService.settings import OrderSettings
from OrderService.web.events import BINDING_KEYS, order_event_handler
from OrderService.web.routes import router
from servicekit import __version__
from servicekit.broker import QueueConsumer, ServiceQueue
from servicekit.health import HealthCheck, expect
from servicekit.logging import setup_logging
from servicekit.outbox import OUTBOX_INDEXES
from servicekit.runtime import Infrastructure
from servicekit.settings import load_settings
from servicekit.web import api_key_guard, create_service_app, health_router

ERROR_STATUS: dict[type[Exception], int] = {
    OrderNotFound: 404,
    CancelTooLate: 400,
    IdempotencyConflict: 409,
}
CALLED_SERVICES = ["PaymentService", "CustomerService", "DeliveryService", "KitchenService"]


def create_app(settings: OrderSettings | None = None) -> FastAPI:
    settings = settings or load_settings(OrderSettings)
    setup_logging(settings.service_name, settings.log_level, settings.log_json)
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        infra = await Infrastructure.start(settings, [ORDER_INDEXES, OUTBOX_INDEXES])
        outbox, relay = infra.outbox()
        repository = MongoOrderRepository(infra.mongo.db, outbox, relay, settings.charge_grace_s)
        workflow = OrderWorkflow(
            repository,
            RedisOrderCache(infra.cache, settings.order_cache_ttl_s),
            HttpPayments(infra.services),
            HttpCustomers(infra.services),
            HttpDeliveries(infra.services),
            HttpKitchen(infra.services),
        )
        charges = ChargeDispatcher(workflow, repository)
        consumer = QueueConsumer(
            infra.broker,
            infra.publisher,
            ServiceQueue(
                settings.work_queue,
                BINDING_KEYS,
                settings.retry_delays_ms,
                settings.queue_type,
            ),
            order_event_handler(workflow),
            settings.prefetch_count,
        )
        app.state.workflow, app.state.charges = workflow, charges
        await consumer.start()
        relay.start()
        charges.start()
        state.update(infra=infra, consumer=consumer)
        logger.info("OrderService ready on port {}", settings.port)
        try:
            yield
        finally:
            await consumer.stop()
            await charges.stop()
            await relay.stop()
            await infra.close()
            logger.info("OrderService stopped")

    def consumer_check() -> HealthCheck:
        consumer: QueueConsumer = state["consumer"]
        return HealthCheck("consumer", expect(lambda: consumer.is_running, "consumer stopped"))

    app = create_service_app(
        "OrderService",
        "Places orders and follows each one from payment to delivery or cancellation.",
        __version__,
        lifespan,
        ERROR_STATUS,
    )
    app.include_router(
        router, dependencies=[Depends(api_key_guard(settings.service_api_key.get_secret_value()))]
    )
    app.include_router(
        health_router(
            lambda: state["infra"].health_report(CALLED_SERVICES, [consumer_check()]),
            lambda: state["infra"].readiness([consumer_check()]),
        )
    )
    return app
