"""Payments in MongoDB; a state change and its event are one single-document write (the outbox
inside the payment)."""

from collections.abc import Iterable, Mapping
from dataclasses import asdict, fields
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from PaymentService.business.models import Payment, PaymentEvent, PaymentStatus
from servicekit.clock import now_ms
from servicekit.document_store import DocumentStore
from servicekit.mongo import CollectionIndexes
from servicekit.outbox import OUTBOX_INDEX

COLLECTION = "payments"
PAYMENT_INDEXES = CollectionIndexes(
    COLLECTION,
    [
        IndexModel([("order_id", ASCENDING)], unique=True, name="one_payment_per_order"),
        OUTBOX_INDEX,
    ],
)
_FIELDS = {f.name for f in fields(Payment)}


def _to_document(payment: Payment) -> dict[str, Any]:
    document = asdict(payment)
    document["_id"] = document.pop("id")
    document["status"] = payment.status.value
    return document


def _to_payment(document: Mapping[str, Any]) -> Payment:
    values = {key: value for key, value in document.items() if key in _FIELDS}
    values["id"] = document["_id"]
    values["status"] = PaymentStatus(document["status"])
    return Payment(**values)


class MongoPaymentRepository:
    def __init__(self, payments: DocumentStore) -> None:
        self._store = payments

    async def insert(self, payment: Payment) -> bool:
        try:
            await self._store.insert(_to_document(payment))
        except DuplicateKeyError:
            return False
        return True

    async def get(self, payment_id: str) -> Payment | None:
        document = await self._store.get(payment_id)
        return _to_payment(document) if document else None

    async def get_by_order(self, order_id: str) -> Payment | None:
        document = await self._store.find_one({"order_id": order_id})
        return _to_payment(document) if document else None

    async def delete_unsent(self, payment_id: str) -> None:
        await self._store.delete({"_id": payment_id, "status": PaymentStatus.REQUESTED.value})

    async def transition(
        self,
        payment_id: str,
        allowed_from: Iterable[PaymentStatus],
        to: PaymentStatus,
        changes: dict[str, Any] | None = None,
        event: PaymentEvent | None = None,
    ) -> Payment | None:
        now = now_ms()
        allowed = [status.value for status in allowed_from]
        update: dict[str, Any] = {
            "$set": {"status": to.value, "updated_at": now, **(changes or {})}
        }
        if allowed != [to.value]:
            update["$push"] = {"history": {"status": to.value, "at": now}}
        query = {"_id": payment_id, "status": {"$in": allowed}}
        document = await self._store.update(query, update, [event] if event else [])
        return _to_payment(document) if document else None
