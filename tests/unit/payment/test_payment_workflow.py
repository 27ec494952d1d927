"""The payment rules with fakes: charge once, reimburse once, apply each callback once."""

import pytest

from PaymentService.business.errors import (
    CallbackConflict,
    CardCompanyUnreachable,
    CustomerNotFound,
    NotReimbursable,
    PaymentNotFound,
)
from PaymentService.business.models import Billing, CallbackStatus, PaymentStatus
from PaymentService.business.payments import PaymentWorkflow
from servicekit.http import UpstreamTimeout
from tests.unit.payment.fakes import FakeCardCompany, FakeCustomers, FakePaymentRepository

ITEMS = [{"product": "Lasagna", "quantity": 2}]


@pytest.fixture
def repository() -> FakePaymentRepository:
    return FakePaymentRepository()


@pytest.fixture
def customers() -> FakeCustomers:
    return FakeCustomers(amount=250.0)


@pytest.fixture
def card_company() -> FakeCardCompany:
    return FakeCardCompany()


@pytest.fixture
def workflow(repository, customers, card_company) -> PaymentWorkflow:
    return PaymentWorkflow(repository, customers, card_company, "http://pay/v1/payments/callback")


async def pay(workflow: PaymentWorkflow, order_id: str = "o1"):
    return await workflow.request_payment(order_id, "c1", "OrderService", ITEMS)


async def test_payment_request_charges_the_amount_and_stores_a_pending_payment(
    workflow, repository, card_company
) -> None:
    payment = await pay(workflow)
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


async def test_repeated_payment_request_does_not_charge_twice(workflow, card_company) -> None:
    first = await pay(workflow)
    second = await pay(workflow)
    assert second.id == first.id
    assert len(card_company.bills) == 1


async def test_unknown_customer_stores_nothing_and_charges_nothing(
    repository, card_company
) -> None:
    workflow = PaymentWorkflow(repository, FakeCustomers(known=False), card_company, "cb")
    with pytest.raises(CustomerNotFound):
        await pay(workflow)
    assert repository.payments == {} and card_company.bills == []


async def test_card_company_unreachable_stores_nothing_and_a_retry_charges_once(
    workflow, repository, card_company
) -> None:
    card_company.down = True
    with pytest.raises(CardCompanyUnreachable):
        await pay(workflow)
    assert repository.payments == {}
    card_company.down = False
    assert (await pay(workflow)).status == PaymentStatus.PENDING
    assert len(card_company.bills) == 1


async def test_unknown_outcome_keeps_the_payment_and_the_retry_sends_the_same_caller_id(
    workflow, repository, card_company
) -> None:
    card_company.unclear = True
    with pytest.raises(UpstreamTimeout):
        await pay(workflow)
    [kept] = repository.payments.values()
    assert kept.status == PaymentStatus.REQUESTED  # it may have been charged: not forgotten
    card_company.unclear = False
    again = await pay(workflow)
    assert again.id == kept.id and again.status == PaymentStatus.PENDING
    assert [caller for caller, _ in card_company.bills] == [kept.id]


async def test_paid_callback_publishes_payment_paid_with_the_order_metadata(
    workflow, repository
) -> None:
    payment = await pay(workflow)
    outcome = await workflow.apply_callback(payment.id, CallbackStatus.PAYMENT_PAID, "t1")
    assert outcome.applied and outcome.payment.status == PaymentStatus.PAID
    [event] = repository.events
    assert event.routing_key == "payment.paymentPaid"
    assert event.body["status"] == "paymentPaid"
    assert event.body["metadata"] == {
        "receiver": "OrderService",
        "order_id": "o1",
        "customer_id": "c1",
    }


async def test_failed_callback_publishes_payment_failed(workflow, repository) -> None:
    payment = await pay(workflow)
    outcome = await workflow.apply_callback(payment.id, CallbackStatus.PAYMENT_FAILED, "t1")
    assert outcome.payment.status == PaymentStatus.FAILED
    assert [e.routing_key for e in repository.events] == ["payment.paymentFailed"]


async def test_duplicate_callback_changes_and_publishes_nothing(workflow, repository) -> None:
    payment = await pay(workflow)
    await workflow.apply_callback(payment.id, CallbackStatus.PAYMENT_PAID, "t1")
    outcome = await workflow.apply_callback(payment.id, CallbackStatus.PAYMENT_PAID, "t1")
    assert not outcome.applied
    assert len(repository.events) == 1


async def test_a_callback_repeated_after_later_changes_is_a_duplicate_not_a_conflict(
    workflow, repository
) -> None:
    """The card company sends a callback again when it did not get our answer; meanwhile the
    order may have been cancelled and the reimbursement requested."""
    payment = await pay(workflow)
    await workflow.apply_callback(payment.id, CallbackStatus.PAYMENT_PAID, "t1")
    await workflow.request_reimbursement("o1", "c1", ITEMS)
    outcome = await workflow.apply_callback(payment.id, CallbackStatus.PAYMENT_PAID, "t1")
    assert not outcome.applied
    assert outcome.payment.status == PaymentStatus.REIMBURSEMENT_PENDING
    assert [e.routing_key for e in repository.events] == ["payment.paymentPaid"]


async def test_callback_for_unknown_caller_is_not_found(workflow) -> None:
    with pytest.raises(PaymentNotFound):
        await workflow.apply_callback("nobody", CallbackStatus.PAYMENT_PAID, "t1")


async def test_paid_after_reimbursed_is_a_conflict_and_publishes_nothing(
    workflow, repository
) -> None:
    payment = await pay(workflow)
    await workflow.apply_callback(payment.id, CallbackStatus.PAYMENT_PAID, "t1")
    await workflow.request_reimbursement("o1", "c1", ITEMS)
    await workflow.apply_callback(payment.id, CallbackStatus.REIMBURSED, "t2")
    with pytest.raises(CallbackConflict):
        await workflow.apply_callback(payment.id, CallbackStatus.PAYMENT_PAID, "t3")
    with pytest.raises(CallbackConflict):
        await workflow.apply_callback(payment.id, CallbackStatus.PAYMENT_FAILED, "t1")
    assert [e.routing_key for e in repository.events] == [
        "payment.paymentPaid",
        "payment.reimbursed",
    ]


async def test_reimbursed_callback_without_a_reimbursement_request_is_a_conflict(workflow) -> None:
    payment = await pay(workflow)
    with pytest.raises(CallbackConflict):
        await workflow.apply_callback(payment.id, CallbackStatus.REIMBURSED, "t1")


async def test_reimbursement_gives_back_the_charged_amount_once(
    workflow, repository, customers, card_company
) -> None:
    payment = await pay(workflow)
    await workflow.apply_callback(payment.id, CallbackStatus.PAYMENT_PAID, "t1")
    customers.amount = 999.0  # prices changed since: the charged amount is what goes back
    first = await workflow.request_reimbursement("o1", "c1", ITEMS)
    second = await workflow.request_reimbursement("o1", "c1", ITEMS)
    assert first.status == second.status == PaymentStatus.REIMBURSEMENT_PENDING
    assert first.reimbursement_transaction_id == "rx-1"
    assert len(card_company.reimbursements) == 1
    assert card_company.reimbursements[0][1].amount == 250.0
    outcome = await workflow.apply_callback(payment.id, CallbackStatus.REIMBURSED, "t2")
    assert outcome.payment.status == PaymentStatus.REIMBURSED
    assert repository.events[-1].routing_key == "payment.reimbursed"


async def test_reimbursing_an_unpaid_or_unknown_payment_is_refused(workflow, card_company) -> None:
    await pay(workflow)
    with pytest.raises(NotReimbursable):
        await workflow.request_reimbursement("o1", "c1", ITEMS)
    with pytest.raises(PaymentNotFound):
        await workflow.request_reimbursement("unknown", "c1", ITEMS)
    assert card_company.reimbursements == []


async def test_failed_reimbursement_request_leaves_the_payment_paid(
    workflow, repository, card_company
) -> None:
    payment = await pay(workflow)
    await workflow.apply_callback(payment.id, CallbackStatus.PAYMENT_PAID, "t1")
    card_company.down = True
    with pytest.raises(CardCompanyUnreachable):
        await workflow.request_reimbursement("o1", "c1", ITEMS)
    assert repository.payments[payment.id].status == PaymentStatus.PAID


async def test_reimbursement_with_unknown_outcome_stays_pending_and_is_sent_again(
    workflow, repository, card_company
) -> None:
    payment = await pay(workflow)
    await workflow.apply_callback(payment.id, CallbackStatus.PAYMENT_PAID, "t1")
    card_company.unclear = True
    with pytest.raises(UpstreamTimeout):
        await workflow.request_reimbursement("o1", "c1", ITEMS)
    assert repository.payments[payment.id].status == PaymentStatus.REIMBURSEMENT_PENDING
    card_company.unclear = False
    again = await workflow.request_reimbursement("o1", "c1", ITEMS)
    assert again.reimbursement_transaction_id == "rx-1"
    assert [caller for caller, _ in card_company.reimbursements] == [payment.id]
