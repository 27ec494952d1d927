"""The payment use cases wired to fakes, as the routes call them."""

import pytest

from PaymentService.business.callbacks import CallbackOutcome, apply_callback
from PaymentService.business.charge import request_payment
from PaymentService.business.commands import CardCallback, PaymentCommand
from PaymentService.business.models import CallbackStatus, Payment
from PaymentService.business.reimburse import request_reimbursement
from tests.unit.payment.fakes import FakeCardCompany, FakeCustomers, payment_store

ITEMS = [{"product": "Lasagna", "quantity": 2}]
CALLBACK_URL = "http://pay/v1/payments/callback"


def order(order_id: str = "o1") -> PaymentCommand:
    return PaymentCommand(order_id, "c1", "OrderService", ITEMS)


@pytest.fixture
def payments():
    return payment_store()


@pytest.fixture
def customers() -> FakeCustomers:
    return FakeCustomers(amount=250.0)


@pytest.fixture
def card_company() -> FakeCardCompany:
    return FakeCardCompany()


def _for_order(use_case, payments, customers, card_company):
    """`use_case` (charge or reimburse) as the route calls it, for an order of customer c1."""

    async def call(order_id: str = "o1") -> Payment:
        return await use_case(order(order_id), payments, customers, card_company, CALLBACK_URL)

    return call


@pytest.fixture
def pay(payments, customers, card_company):
    return _for_order(request_payment, payments, customers, card_company)


@pytest.fixture
def reimburse(payments, customers, card_company):
    return _for_order(request_reimbursement, payments, customers, card_company)


@pytest.fixture
def card_calls_back(payments):
    async def card_calls_back(
        caller_id: str, status: CallbackStatus, transaction_id: str
    ) -> CallbackOutcome:
        return await apply_callback(CardCallback(caller_id, status, transaction_id), payments)

    return card_calls_back
