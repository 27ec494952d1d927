"""Payments in MongoDB; a state change and its event are one single-document write (the outbox
inside the payment)."""

from pymongo import ASCENDING, IndexModel

from PaymentService.business.models import Payment
from servicekit.document_store import DocumentStore
from servicekit.mongo import CollectionIndexes
from servicekit.outbox import OUTBOX_INDEX
from servicekit.state_store import StateStore

COLLECTION = "payments"
PAYMENT_INDEXES = CollectionIndexes(
    COLLECTION,
    [
        IndexModel([("order_id", ASCENDING)], unique=True, name="one_payment_per_order"),
        OUTBOX_INDEX,
    ],
)


def mongo_payments(documents: DocumentStore) -> StateStore[Payment]:
    """The payments collection as the rules' `Payments` (one payment per order)."""
    return StateStore(documents, Payment)
