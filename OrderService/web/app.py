"""OrderService's FastAPI app and event consumer, wired by servicekit from this description."""

from fastapi import FastAPI

from OrderService.bootstrap import build_ports
from OrderService.business.errors import CancelTooLate, IdempotencyConflict, OrderNotFound
from OrderService.repository.mongo_order_repository import ORDER_INDEXES
from OrderService.settings import OrderSettings
from OrderService.web.events import event_routes
from OrderService.web.routes import router
from servicekit.service import ServiceSpec, create_service
from servicekit.settings import load_settings

SERVICE = ServiceSpec(
    name="OrderService",
    description="Places orders and follows each one from payment to delivery or cancellation.",
    api=router,
    indexes=[ORDER_INDEXES],
    build_ports=build_ports,
    business_errors={OrderNotFound: 404, CancelTooLate: 400, IdempotencyConflict: 409},
    called_services=["PaymentService", "CustomerService", "DeliveryService", "KitchenService"],
    event_routes=event_routes,
)


def create_app(settings: OrderSettings | None = None) -> FastAPI:
    return create_service(SERVICE, settings or load_settings(OrderSettings))
