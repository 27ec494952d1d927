"""Each service's FastAPI app as its `create_app` builds it, without its lifespan (nothing
connects): what a test reads the OpenAPI document from."""

from types import ModuleType
from typing import Any
from unittest import mock

from fastapi import FastAPI

from DistanceService.settings import DistanceSettings
from DistanceService.web import app as distance_app
from OrderService.settings import OrderSettings
from OrderService.web import app as order_app
from PaymentService.settings import PaymentSettings
from PaymentService.web import app as payment_app
from servicekit import service as service_factory
from servicekit.settings import ServiceSettings, load_settings
from servicekit.webhooks import new_webhook_secret
from tests.conftest import TEST_API_KEY

SERVICES: dict[str, tuple[ModuleType, type[ServiceSettings], dict[str, Any]]] = {
    # service: (its app module, its settings, the settings it requires besides the shared ones)
    "OrderService": (order_app, OrderSettings, {}),
    "PaymentService": (payment_app, PaymentSettings, {"card_webhook_secret": new_webhook_secret()}),
    "DistanceService": (distance_app, DistanceSettings, {}),
}


def service_app(name: str) -> FastAPI:
    module, settings_class, required = SERVICES[name]
    settings = load_settings(
        settings_class,
        _env_file=None,
        environment="test",
        service_name=name,
        service_api_key=TEST_API_KEY,
        **required,
    )
    # The factory configures the process's logging; keep the test process's as it is.
    with mock.patch.object(service_factory, "setup_logging"):
        return module.create_app(settings)
