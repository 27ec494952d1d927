"""Charging an order with fakes: once per order, never lost, never doubled."""

import pytest

from PaymentService.business.errors import CardCompanyUnreachable, CustomerNotFound
from PaymentService.business.models import Billing, PaymentStatus
from servicekit.http import UpstreamTimeout


async def test_payment_request_charges_the_amount_and_stores_a_pending_payment(
    pay, card_company
) -> None:
    payment = await pay()
    assert payment.status == PaymentStatus.PENDING
    assert payment.amount == 250.0 and payment.currency == "SEK"
    assert payment.card_last4 == "1111"  # never the full card number
    assert payment.transaction_id == "tx-1"
    # Billed once, under the payment's id, for what CustomerService said, with its card.
    card = {
        "card_holder": "A",
        "card_number": "4111111111111111",
        "expiry_date": "12/29",
        "cvc": "123",
    }
    assert card_company.bills == [(payment.id, Billing(250.0, "SEK", card))]
    assert [entry["status"] for entry in payment.history] == ["requested", "pending"]


async def test_repeated_payment_request_does_not_charge_twice(pay, card_company) -> None:
    first = await pay()
    second = await pay()
    assert second.id == first.id
    assert len(card_company.bills) == 1


async def test_unknown_customer_stores_nothing_and_charges_nothing(
    pay, payments, customers, card_company
) -> None:
    customers.known = False
    with pytest.raises(CustomerNotFound):
        await pay()
    assert payments.items == {} and card_company.bills == []


async def test_card_company_unreachable_stores_nothing_and_a_retry_charges_once(
    pay, payments, card_company
) -> None:
    card_company.down = True
    with pytest.raises(CardCompanyUnreachable):
        await pay()
    assert payments.items == {}
    card_company.down = False
    assert (await pay()).status == PaymentStatus.PENDING
    assert len(card_company.bills) == 1


async def test_unknown_outcome_keeps_the_payment_and_the_retry_sends_the_same_caller_id(
    pay, payments, card_company
) -> None:
    card_company.unclear = True
    with pytest.raises(UpstreamTimeout):
        await pay()
    [kept] = payments.items.values()
    assert kept.status == PaymentStatus.REQUESTED  # it may have been charged: not forgotten
    card_company.unclear = False
    again = await pay()
    assert again.id == kept.id and again.status == PaymentStatus.PENDING
    assert [caller for caller, _ in card_company.bills] == [kept.id]
