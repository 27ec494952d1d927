"""A payment as the store keeps it in MongoDB: a document with `_id`, plain statuses and a
version, read back as the same payment."""

from PaymentService.business.models import Payment, PaymentStatus
from servicekit.clock import now_ms
from servicekit.state_store import EntityCodec


def test_a_payment_is_stored_with_plain_values_and_read_back_unchanged() -> None:
    now = now_ms()
    payment = Payment(
        id="p1",
        order_id="o1",
        customer_id="c1",
        receiver="OrderService",
        status=PaymentStatus.REIMBURSEMENT_PENDING,
        created_at=now,
        updated_at=now,
        amount=250.0,
        callback_transactions={"paymentPaid": "t1"},
        history=[{"status": "requested", "at": now}],
    )
    codec = EntityCodec(Payment)
    document = codec.to_document(payment)
    assert document["_id"] == "p1" and "id" not in document
    assert document["status"] == "reimbursementPending" and document["version"] == 1
    assert codec.to_entity(document) == payment


def test_changes_name_payment_fields_with_plain_values() -> None:
    codec = EntityCodec(Payment)
    assert codec.fields({"status": PaymentStatus.REQUESTED}) == {"status": "requested"}
