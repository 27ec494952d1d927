"""PaymentService's FastAPI app; its lifespan is the composition root."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from PaymentService.business.errors import (
    CallbackConflict,
    CardCompanyUnreachable,
    CustomerNotFound,
    NotReimbursable,
    PaymentNotFound,
)
from PaymentService.business.payments import PaymentWorkflow
from PaymentService.clients.card_company_client import SERVICE as CARD_COMPANY
from PaymentService.clients.card_company_client import HttpCardCompany
from PaymentService.clients.customer_client import SERVICE as CUSTOMERS
from PaymentService.clients.customer_client import HttpCustomerBilling
from PaymentService.repository.mongo_payment_repository import (
    COLLECTION,
    PAYMENT_INDEXES,
    MongoPaymentRepository,
)
from PaymentService.settings import PaymentSettings
from PaymentService.web.routes import router
from servicekit import __version__
from servicekit.logging import setup_logging
from servicekit.runtime import Infrastructure
from servicekit.settings import load_settings
from servicekit.web import create_service_app

ERROR_STATUS: dict[type[Exception], int] = {
    PaymentNotFound: 404,
    CustomerNotFound: 404,
    CallbackConflict: 409,
    CardCompanyUnreachable: 503,
    NotReimbursable: 409,
}


def create_app(settings: PaymentSettings | None = None) -> FastAPI:
    settings = settings or load_settings(PaymentSettings)
    setup_logging(settings.service_name, settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        infra = await Infrastructure.start(settings, [PAYMENT_INDEXES])
        app.state.infra = infra
        app.state.workflow = PaymentWorkflow(
            MongoPaymentRepository(infra.documents(COLLECTION)),
            HttpCustomerBilling(infra.services),
            HttpCardCompany(infra.services),
            callback_url=settings.public_url.rstrip("/") + "/v1/payments/callback",
        )
        async with infra.running():
            yield

    return create_service_app(
        "PaymentService",
        "Credit-card payments and reimbursements for orders; publishes payment events.",
        __version__,
        lifespan,
        router,
        settings.api_keys,
        ERROR_STATUS,
        [CUSTOMERS, CARD_COMPANY],
    )
