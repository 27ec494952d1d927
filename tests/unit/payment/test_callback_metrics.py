"""Each callback the card company's route accepts is counted by its status and whether it was a
duplicate; a refused one is not (it shows in the HTTP counts as 409)."""

import uuid

import pytest
from prometheus_client import REGISTRY

from PaymentService.bootstrap import PaymentPorts
from PaymentService.business.errors import CallbackConflict
from PaymentService.web.routes import card_company_callback
from PaymentService.web.schemas import CallbackRequest
from PaymentService.web.webhooks import SignedCallback
from tests.unit.payment.conftest import CALLBACK_URL
from tests.unit.payment.fakes import FakeProcessedWebhooks


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
    ports = PaymentPorts(payments, customers, card_company, CALLBACK_URL, FakeProcessedWebhooks())
    payment = await pay()
    transaction = str(uuid.uuid4())

    async def callback(status: str, webhook_id: str) -> None:
        body = CallbackRequest(status=status, caller_id=payment.id, transaction_id=transaction)
        await card_company_callback(SignedCallback(webhook_id, body), ports)

    before = counts()
    await callback("paymentPaid", "msg_1")
    assert grown(before) == [1, 0, 0, 0]
    await callback("paymentPaid", "msg_1")  # sent again: its answer was lost
    assert grown(before) == [1, 1, 0, 0]
    await callback("paymentPaid", "msg_2")  # the same result in a new message
    assert grown(before) == [1, 2, 0, 0]
    with pytest.raises(CallbackConflict):
        await callback("paymentFailed", "msg_3")
    assert grown(before) == [1, 2, 0, 0]
