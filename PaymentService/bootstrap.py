"""PaymentService's composition root: the ports its use cases get, built once per process."""

from dataclasses import dataclass

from PaymentService.business.ports import (
    CardCompany,
    CustomerBilling,
    Payments,
    ProcessedWebhooks,
)
from PaymentService.clients.card_company_client import HttpCardCompany
from PaymentService.clients.customer_client import HttpCustomerBilling
from PaymentService.repository.mongo_payment_repository import COLLECTION, mongo_payments
from PaymentService.repository.mongo_processed_webhooks import MongoProcessedWebhooks
from PaymentService.settings import PaymentSettings
from servicekit.runtime import Infrastructure


@dataclass(frozen=True)
class PaymentPorts:
    payments: Payments
    customers: CustomerBilling
    card_company: CardCompany
    callback_url: str  # where the card company reports its results
    processed_webhooks: ProcessedWebhooks  # its callbacks' webhook-ids already processed


def build_ports(infra: Infrastructure, settings: PaymentSettings) -> PaymentPorts:
    return PaymentPorts(
        payments=mongo_payments(infra.documents(COLLECTION)),
        customers=HttpCustomerBilling(infra.services),
        card_company=HttpCardCompany(infra.services),
        callback_url=settings.public_url.rstrip("/") + "/v1/payments/callback",
        processed_webhooks=MongoProcessedWebhooks(infra.mongo.db),
    )
