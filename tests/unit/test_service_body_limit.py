"""Each real service app refuses a request body over 64 KiB with 413 and reads one up to it.

The apps come from each service's `create_app`, called through httpx's ASGI transport, which
does not run their lifespan: no server, database or broker is needed.
"""

import contextlib
import json

import httpx
import pytest

from DistanceService.settings import DistanceSettings
from DistanceService.web import app as distance_app
from OrderService.settings import OrderSettings
from OrderService.web import app as order_app
from PaymentService.settings import PaymentSettings
from PaymentService.web import app as payment_app
from servicekit import service as service_factory
from servicekit.settings import load_settings
from tests.conftest import TEST_API_KEY, TEST_WEBHOOK_SECRET

LIMIT = 64 * 1024
SERVICES = {
    # service: (its app module, its settings, a POST path)
    "OrderService": (order_app, OrderSettings, "/v1/orders"),
    "PaymentService": (payment_app, PaymentSettings, "/v1/payments"),
    # No route of DistanceService takes a body; the limit applies to every request all the same.
    "DistanceService": (distance_app, DistanceSettings, "/v1/distance"),
}


def body_of(size: int) -> bytes:
    """Valid JSON of exactly `size` bytes (that no route accepts: it is not a valid request)."""
    empty = json.dumps({"padding": ""}).encode()
    body = json.dumps({"padding": "x" * (size - len(empty))}).encode()
    assert len(body) == size
    return body


def chunked(body: bytes):
    async def chunks():
        for start in range(0, len(body), 4096):
            yield body[start : start + 4096]

    return chunks()


@contextlib.asynccontextmanager
async def client(service: str, monkeypatch: pytest.MonkeyPatch):
    module, settings_class, _ = SERVICES[service]
    # The app factory configures the process's logging; keep the test process's as it is.
    monkeypatch.setattr(service_factory, "setup_logging", lambda *args, **kwargs: None)
    settings = load_settings(
        settings_class,
        _env_file=None,
        environment="test",
        service_name=service,
        service_api_key=TEST_API_KEY,
        card_webhook_secret=TEST_WEBHOOK_SECRET,  # PaymentService's; the others ignore it
    )
    app = module.create_app(settings)
    # What the lifespan would set; no request here gets past validation to use them.
    app.state.ports = None
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    headers = {"X-API-Key": TEST_API_KEY, "Content-Type": "application/json"}
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as c:
        yield c


@pytest.mark.parametrize("size", [LIMIT + 1, 2 * LIMIT])
@pytest.mark.parametrize("service", list(SERVICES))
async def test_a_body_over_64_kib_is_413(service, size, monkeypatch) -> None:
    async with client(service, monkeypatch) as http:
        answer = await http.post(SERVICES[service][2], content=body_of(size))
    assert answer.status_code == 413


@pytest.mark.parametrize("service", ["OrderService", "PaymentService"])
async def test_a_body_over_64_kib_without_a_length_is_413_when_read(service, monkeypatch) -> None:
    async with client(service, monkeypatch) as http:
        answer = await http.post(SERVICES[service][2], content=chunked(body_of(LIMIT + 1)))
    assert answer.status_code == 413


@pytest.mark.parametrize("size", [LIMIT - 1, LIMIT])
@pytest.mark.parametrize("service", list(SERVICES))
async def test_a_body_up_to_64_kib_is_not_413(service, size, monkeypatch) -> None:
    path = SERVICES[service][2]
    async with client(service, monkeypatch) as http:
        for content in (body_of(size), chunked(body_of(size))):
            answer = await http.post(path, content=content)
            if service == "DistanceService":  # a GET route: 405 (method), not 413
                assert answer.status_code == 405
            else:  # parsed to the end: valid JSON that lacks the request's fields
                assert answer.status_code == 422
                types = {error["type"] for error in answer.json()["detail"]}
                assert "missing" in types and "json_invalid" not in types
