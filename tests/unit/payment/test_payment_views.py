"""The bodies PaymentService answers with, built from a stored payment."""

from PaymentService.business.models import Payment, PaymentStatus
from PaymentService.web.schemas import PaymentAccepted, PaymentView
from servicekit.clock import now_ms

ORDER_ID = "7a1a8f5e-52a3-4c8e-9f0b-2b7f8d1f0c11"
PAYMENT_ID = "0b6c1a37-3f4e-4f5e-8a9b-6c7d8e9f0a1b"


def stored_payment() -> Payment:
    now = now_ms()
    return Payment(
        id=PAYMENT_ID,
        created_at=now,
        updated_at=now,
        status=PaymentStatus.PENDING,
        history=[{"status": "requested", "at": now}, {"status": "pending", "at": now}],
        order_id=ORDER_ID,
        customer_id="5d2c9f4e-1b3a-4c6d-8e7f-9a0b1c2d3e4f",
        receiver="OrderService",
        amount=250.0,
        currency="SEK",
        card_last4="1111",
        transaction_id="tx-1",
    )


def test_the_payment_view_shows_the_stored_payment_under_its_public_names() -> None:
    payment = stored_payment()
    view = PaymentView.of(payment).model_dump(mode="json")
    assert view["payment_id"] == PAYMENT_ID and view["order_id"] == ORDER_ID
    assert view["status"] == "pending" and view["amount"] == 250.0
    assert view["card_last4"] == "1111" and view["transaction_id"] == "tx-1"
    assert view["reimbursement_transaction_id"] is None
    assert (
        view["created"] == view["updated"] == payment.created_at.isoformat().replace("+00:00", "Z")
    )
    assert [entry["status"] for entry in view["history"]] == ["requested", "pending"]


def test_an_accepted_request_tells_where_the_orders_payment_stands() -> None:
    accepted = PaymentAccepted.of(stored_payment()).model_dump(mode="json")
    assert accepted == {
        "status": "requestReceived",
        "order_id": ORDER_ID,
        "payment_id": PAYMENT_ID,
        "payment_status": "pending",
    }
