"""Which answers of PaymentService end an order's charge and which are retried: the real HTTP
adapter (OrderService.clients.payment_client) in the charge use case with fakes."""

from typing import Any

import pytest

from OrderService.business.charge_progress import ChargeProgress
from OrderService.business.state_machine import OrderStatus
from OrderService.clients.payment_client import HttpPayments
from servicekit.http import UpstreamRejected
from tests.unit.order.world import World


class AnsweringPaymentService:
    """Stands in for the ServiceClient: PaymentService answers `status` with `detail`, or
    accepts the charge when `status` is None."""

    def __init__(self, status: int | None, detail: str = "") -> None:
        self.status = status
        self.detail = detail
        self.calls: list[str] = []

    async def post(
        self, service: str, path: str, json: Any = None, headers: dict | None = None
    ) -> Any:
        self.calls.append(f"{service} {path}")
        if self.status is not None:
            raise UpstreamRejected(service, self.status, self.detail)
        return {"payment_id": "p1", "payment_status": "pending"}


async def placed_and_charged(payment_service: AnsweringPaymentService) -> tuple[World, str]:
    world = World(payments=HttpPayments(payment_service))  # type: ignore[arg-type]
    return world, await world.placed()


@pytest.mark.parametrize(
    ("status", "detail"),
    [
        (401, "X-API-Key header missing or wrong"),  # our key is wrong: configuration
        (403, "forbidden"),
        (404, "Not Found"),  # a wrong URL for PaymentService, not an unknown customer
        (500, "internal error; see the service log"),
        (503, "CustomerService: connection refused"),
    ],
)
async def test_charge_answered_with_a_configuration_or_server_error_is_retried(
    status: int, detail: str
) -> None:
    payment_service = AnsweringPaymentService(status, detail)
    world, order_id = await placed_and_charged(payment_service)
    order = world.order(order_id)
    assert payment_service.calls == ["PaymentService /v1/payments"]
    assert order.status == OrderStatus.CREATED and order.failure_reason is None
    assert order.charge == ChargeProgress.PENDING and order.charge_attempts == 1
    assert world.stored.charge_retries and str(status) in world.stored.charge_retries[0]

    payment_service.status = None  # fixed: the next attempt (the sweep's) sends it
    await world.charge_again(order_id)
    assert world.order(order_id).charge == ChargeProgress.SENT
    assert world.order(order_id).status == OrderStatus.CREATED


@pytest.mark.parametrize(
    ("status", "detail"),
    [
        (404, "customer 6b1c not found"),
        (422, "body.items: field required"),
    ],
)
async def test_charge_refused_for_the_order_itself_ends_in_payment_failed(
    status: int, detail: str
) -> None:
    payment_service = AnsweringPaymentService(status, detail)
    world, order_id = await placed_and_charged(payment_service)
    order = world.order(order_id)
    assert order.status == OrderStatus.PAYMENT_FAILED
    assert order.charge == ChargeProgress.REFUSED and detail in (order.failure_reason or "")
    assert order.charge_attempts == 0 and world.stored.charge_retries == []
