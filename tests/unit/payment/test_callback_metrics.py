"""Each callback the card company's route accepts is counted by its status and whether it was a
duplicate; a refused one is not (it shows in the HTTP counts as 409)."""

import uuid

import pytest
from prometheus_client import REGISTRY

from PaymentService.bootstrap import PaymentPorts
from PaymentService.business.errors import CallbackConflict
from PaymentService.web.routes import card_company_callback
from PaymentService.web.schemas import CallbackRequest
from tests.unit.payment.conftest import CALLBACK_URL


def callbacks(status: str, duplicate: str) -> float:
    labels = {"status": status, "duplicate": duplicate}
    return REGISTRY.get_sample_value("payment_callbacks_total", labels) or 0.0


def counts() -> list[float]:
    return [
        callbacks(status, duplicate)
        for status in ("paymentPaid", "paymentFailed")
        for duplicate in ("false", "true")
    ]


def grown(before: list[float]) -> list[float]:
    return [after - first for first, after in zip(before, counts(), strict=True)]


async def test_callbacks_are_counted_by_status_and_duplicate(
    pay, payments, customers, card_company
) -> None:
    ports = PaymentPorts(payments, customers, card_company, CALLBACK_URL)
    payment = await pay()
    transaction = str(uuid.uuid4())

    async def callback(status: str) -> None:
        body = CallbackRequest(status=status, caller_id=payment.id, transaction_id=transaction)
        await card_company_callback(body, ports)

    before = counts()
    await callback("paymentPaid")
    assert grown(before) == [1, 0, 0, 0]
    await callback("paymentPaid")  # sent again: its answer was lost
    assert grown(before) == [1, 1, 0, 0]
    with pytest.raises(CallbackConflict):
        await callback("paymentFailed")
    assert grown(before) == [1, 1, 0, 0]
