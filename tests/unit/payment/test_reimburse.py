"""Reimbursing with fakes: the charged amount goes back once, and only for a paid order."""

import pytest

from PaymentService.business.errors import (
    CardCompanyUnreachable,
    NotReimbursable,
    PaymentNotFound,
)
from PaymentService.business.models import CallbackStatus, PaymentStatus
from servicekit.http import UpstreamTimeout


@pytest.fixture
async def paid(pay, card_calls_back):
    payment = await pay()
    await card_calls_back(payment.id, CallbackStatus.PAYMENT_PAID, "t1")
    return payment


async def test_reimbursement_gives_back_the_charged_amount_once(
    paid, reimburse, card_calls_back, payments, customers, card_company
) -> None:
    customers.amount = 999.0  # prices changed since: the charged amount is what goes back
    first = await reimburse()
    second = await reimburse()
    assert first.status == second.status == PaymentStatus.REIMBURSEMENT_PENDING
    assert first.reimbursement_transaction_id == "rx-1"
    assert len(card_company.reimbursements) == 1
    assert card_company.reimbursements[0][1].amount == 250.0
    outcome = await card_calls_back(paid.id, CallbackStatus.REIMBURSED, "t2")
    assert outcome.payment.status == PaymentStatus.REIMBURSED
    assert payments.events[-1].routing_key == "payment.reimbursed"


async def test_reimbursing_an_unpaid_or_unknown_payment_is_refused(
    pay, reimburse, card_company
) -> None:
    await pay()
    with pytest.raises(NotReimbursable):
        await reimburse()
    with pytest.raises(PaymentNotFound):
        await reimburse("unknown")
    assert card_company.reimbursements == []


async def test_failed_reimbursement_request_leaves_the_payment_paid(
    paid, reimburse, payments, card_company
) -> None:
    card_company.down = True
    with pytest.raises(CardCompanyUnreachable):
        await reimburse()
    assert payments.items[paid.id].status == PaymentStatus.PAID


async def test_reimbursement_with_unknown_outcome_stays_pending_and_is_sent_again(
    paid, reimburse, payments, card_company
) -> None:
    card_company.unclear = True
    with pytest.raises(UpstreamTimeout):
        await reimburse()
    assert payments.items[paid.id].status == PaymentStatus.REIMBURSEMENT_PENDING
    card_company.unclear = False
    again = await reimburse()
    assert again.reimbursement_transaction_id == "rx-1"
    assert [caller for caller, _ in card_company.reimbursements] == [paid.id]
