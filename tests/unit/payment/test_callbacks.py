"""The card company's callbacks with fakes: each applied once, its event stored with it."""

import pytest

from PaymentService.business.errors import CallbackConflict, PaymentNotFound
from PaymentService.business.models import CallbackStatus, PaymentStatus

PAID, FAILED, REIMBURSED = (
    CallbackStatus.PAYMENT_PAID,
    CallbackStatus.PAYMENT_FAILED,
    CallbackStatus.REIMBURSED,
)


async def test_paid_callback_publishes_payment_paid_with_the_order_metadata(
    pay, card_calls_back, payments
) -> None:
    payment = await pay()
    outcome = await card_calls_back(payment.id, PAID, "t1")
    assert outcome.applied and outcome.payment.status == PaymentStatus.PAID
    [event] = payments.events
    assert event.routing_key == "payment.paymentPaid"
    assert event.body["status"] == "paymentPaid"
    assert event.body["metadata"] == {
        "receiver": "OrderService",
        "order_id": "o1",
        "customer_id": "c1",
    }


async def test_failed_callback_publishes_payment_failed(pay, card_calls_back, payments) -> None:
    payment = await pay()
    outcome = await card_calls_back(payment.id, FAILED, "t1")
    assert outcome.payment.status == PaymentStatus.FAILED
    assert [e.routing_key for e in payments.events] == ["payment.paymentFailed"]


async def test_duplicate_callback_changes_and_publishes_nothing(
    pay, card_calls_back, payments
) -> None:
    payment = await pay()
    await card_calls_back(payment.id, PAID, "t1")
    outcome = await card_calls_back(payment.id, PAID, "t1")
    assert not outcome.applied
    assert len(payments.events) == 1


async def test_a_callback_repeated_after_later_changes_is_a_duplicate_not_a_conflict(
    pay, reimburse, card_calls_back, payments
) -> None:
    """The card company sends a callback again when it did not get our answer; meanwhile the
    order may have been cancelled and the reimbursement requested."""
    payment = await pay()
    await card_calls_back(payment.id, PAID, "t1")
    await reimburse()
    outcome = await card_calls_back(payment.id, PAID, "t1")
    assert not outcome.applied
    assert outcome.payment.status == PaymentStatus.REIMBURSEMENT_PENDING
    assert [e.routing_key for e in payments.events] == ["payment.paymentPaid"]


async def test_callback_for_unknown_caller_is_not_found(card_calls_back) -> None:
    with pytest.raises(PaymentNotFound):
        await card_calls_back("nobody", PAID, "t1")


async def test_paid_after_reimbursed_is_a_conflict_and_publishes_nothing(
    pay, reimburse, card_calls_back, payments
) -> None:
    payment = await pay()
    await card_calls_back(payment.id, PAID, "t1")
    await reimburse()
    await card_calls_back(payment.id, REIMBURSED, "t2")
    with pytest.raises(CallbackConflict):
        await card_calls_back(payment.id, PAID, "t3")
    with pytest.raises(CallbackConflict):
        await card_calls_back(payment.id, FAILED, "t1")
    assert [e.routing_key for e in payments.events] == [
        "payment.paymentPaid",
        "payment.reimbursed",
    ]


async def test_reimbursed_callback_without_a_reimbursement_request_is_a_conflict(
    pay, card_calls_back
) -> None:
    payment = await pay()
    with pytest.raises(CallbackConflict):
        await card_calls_back(payment.id, REIMBURSED, "t1")
