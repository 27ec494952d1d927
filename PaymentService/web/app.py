"""PaymentService's FastAPI app, wired by servicekit from this description (it consumes no
queue: the card company's results come as HTTP callbacks)."""

from fastapi import FastAPI

from PaymentService.bootstrap import build_ports
from PaymentService.business.errors import (
    CallbackConflict,
    CardCompanyUnreachable,
    CustomerNotFound,
    NotReimbursable,
    PaymentNotFound,
)
from PaymentService.clients.card_company_client import SERVICE as CARD_COMPANY
from PaymentService.clients.customer_client import SERVICE as CUSTOMERS
from PaymentService.repository.mongo_payment_repository import PAYMENT_INDEXES
from PaymentService.repository.mongo_processed_webhooks import PROCESSED_WEBHOOK_INDEXES
from PaymentService.settings import PaymentSettings
from PaymentService.web.routes import router, signed_router
from servicekit.service import ServiceSpec, create_service
from servicekit.settings import load_settings

SERVICE = ServiceSpec(
    name="PaymentService",
    description="Credit-card payments and reimbursements for orders; publishes payment events.",
    api=router,
    indexes=[PAYMENT_INDEXES, PROCESSED_WEBHOOK_INDEXES],
    build_ports=build_ports,
    business_errors={
        PaymentNotFound: 404,
        CustomerNotFound: 404,
        CallbackConflict: 409,
        CardCompanyUnreachable: 503,
        NotReimbursable: 409,
    },
    called_services=[CUSTOMERS, CARD_COMPANY],
    signed_api=signed_router,  # the card company's callbacks: Standard Webhooks, no API key
)


def create_app(settings: PaymentSettings | None = None) -> FastAPI:
    return create_service(SERVICE, settings or load_settings(PaymentSettings))
