"""Orders in MongoDB: each change is one conditional single-document write that also stores the
events it causes (the outbox inside the order)."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, fields
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from OrderService.business.models import Order, OrderEvent, Page
from OrderService.business.state_machine import OrderStatus
from servicekit.clock import now_ms
from servicekit.document_store import DocumentStore
from servicekit.mongo import CollectionIndexes
from servicekit.outbox import OUTBOX_INDEX

COLLECTION = "orders"
ORDER_INDEXES = CollectionIndexes(
    COLLECTION,
    [
        IndexModel([("created_at", DESCENDING)]),
        IndexModel([("status", ASCENDING), ("created_at", DESCENDING)]),
        IndexModel([("customer_id", ASCENDING), ("created_at", DESCENDING)]),
        IndexModel(
            [("idempotency_key", ASCENDING)],
            unique=True,
            partialFilterExpression={"idempotency_key": {"$type": "string"}},
        ),
        IndexModel([("charge", ASCENDING), ("charge_next_at", ASCENDING)]),
        OUTBOX_INDEX,
    ],
)
_FIELDS = {f.name for f in fields(Order)}


def to_document(order: Order, charge_grace_s: float) -> dict[str, Any]:
    document = asdict(order)
    document["_id"] = document.pop("id")
    document["status"] = order.status.value
    document["charge_next_at"] = order.created_at + timedelta(seconds=charge_grace_s)
    return document


def to_order(document: Mapping[str, Any]) -> Order:
    values = {key: value for key, value in document.items() if key in _FIELDS}
    values["id"] = document["_id"]
    values["status"] = OrderStatus(document["status"])
    return Order(**values)


class MongoOrderRepository:
    def __init__(self, orders: DocumentStore, charge_grace_s: float = 30.0) -> None:
        self._charge_grace_s = charge_grace_s
        self._store = orders
        self._orders = orders.collection

    async def create(self, order: Order, event: OrderEvent) -> Order:
        try:
            await self._store.insert(to_document(order, self._charge_grace_s), [event])
        except DuplicateKeyError:
            existing = await self._store.find_one({"idempotency_key": order.idempotency_key})
            if existing is None:
                raise
            return to_order(existing)
        return order

    async def get(self, order_id: str) -> Order | None:
        document = await self._store.get(order_id)
        return to_order(document) if document else None

    async def list(
        self, status: OrderStatus | None, customer_id: str | None, limit: int, offset: int
    ) -> Page:
        query: dict[str, Any] = {}
        if status is not None:
            query["status"] = status.value
        if customer_id is not None:
            query["customer_id"] = customer_id
        cursor = self._orders.find(query).sort("created_at", DESCENDING).skip(offset).limit(limit)
        items = [to_order(document) async for document in cursor]
        total = await self._orders.count_documents(query)
        return Page(items, total, limit, offset)

    async def delete(self, order_id: str) -> bool:
        return await self._store.delete({"_id": order_id})

    async def transition(
        self,
        order_id: str,
        allowed_from: Iterable[OrderStatus],
        to: OrderStatus,
        changes: dict[str, Any] | None = None,
        event: OrderEvent | None = None,
    ) -> Order | None:
        now = now_ms()
        query = {"_id": order_id, "status": {"$in": [status.value for status in allowed_from]}}
        update = {
            "$set": {"status": to.value, "updated_at": now, **(changes or {})},
            "$push": {"history": {"status": to.value, "at": now}},
        }
        document = await self._store.update(query, update, [event] if event else [])
        return to_order(document) if document else None

    async def update_fields(
        self, order_id: str, changes: dict[str, Any], only_if: dict[str, Any] | None = None
    ) -> Order | None:
        document = await self._store.update(
            {"_id": order_id, **(only_if or {})}, {"$set": {**changes, "updated_at": now_ms()}}
        )
        return to_order(document) if document else None

    async def orders_to_charge(
        self, now: datetime, lease_s: float, limit: int = 50
    ) -> Sequence[Order]:
        due = await self._store.find(
            {"charge": "pending", "charge_next_at": {"$lte": now}},
            sort=[("charge", ASCENDING), ("charge_next_at", ASCENDING)],
            limit=limit,
        )
        leased = []
        for document in due:
            # Lease each with a compare-and-set on its due time: two instances never both
            # charge it now (a charge sent twice is answered once by PaymentService anyway).
            lease = await self._store.update(
                {"_id": document["_id"], "charge_next_at": document["charge_next_at"]},
                {"$set": {"charge_next_at": now + timedelta(seconds=lease_s)}},
            )
            if lease is not None:
                leased.append(to_order(lease))
        return leased

    async def charge_failed(self, order_id: str, error: str, retry_at: datetime) -> None:
        await self._store.update(
            {"_id": order_id, "charge": "pending"},
            {
                "$set": {"charge_next_at": retry_at, "charge_error": error},
                "$inc": {"charge_attempts": 1},
            },
        )
