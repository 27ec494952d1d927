"""Orders in MongoDB: atomic conditional updates, and each event stored in the same transaction."""

from collections.abc import Iterable, Mapping
from dataclasses import asdict, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from OrderService.business.models import Order, OrderEvent, Page
from OrderService.business.state_machine import OrderStatus
from servicekit.mongo import CollectionIndexes
from servicekit.outbox import Emit, Outbox

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
    ],
)
_FIELDS = {f.name for f in fields(Order)}


def _to_document(order: Order, charge_grace_s: float) -> dict[str, Any]:
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
    def __init__(
        self,
        db: AsyncDatabase[Mapping],
        outbox: Outbox,
        charge_grace_s: float = 30.0,
    ) -> None:
        self._charge_grace_s = charge_grace_s
        self._orders = db[COLLECTION]
        self._outbox = outbox

    async def create(self, order: Order, event: OrderEvent) -> Order:
        async def store(session: AsyncClientSession, emit: Emit) -> None:
            document = _to_document(order, self._charge_grace_s)
            await self._orders.insert_one(document, session=session)
            await emit(event.routing_key, event.body)

        try:
            await self._outbox.commit(store)
        except DuplicateKeyError:
            existing = await self._orders.find_one({"idempotency_key": order.idempotency_key})
            if existing is None:
                raise
            return to_order(existing)
        return order

    async def get(self, order_id: str) -> Order | None:
        document = await self._orders.find_one({"_id": order_id})
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
        result = await self._orders.delete_one({"_id": order_id})
        return result.deleted_count == 1

    async def transition(
        self,
        order_id: str,
        allowed_from: Iterable[OrderStatus],
        to: OrderStatus,
        changes: dict[str, Any] | None = None,
        event: OrderEvent | None = None,
    ) -> Order | None:
        now = datetime.now(UTC)
        query = {"_id": order_id, "status": {"$in": [status.value for status in allowed_from]}}
        update = {
            "$set": {"status": to.value, "updated_at": now, **(changes or {})},
            "$push": {"history": {"status": to.value, "at": now}},
            "$inc": {"version": 1},
        }

        async def change(session: AsyncClientSession | None, emit: Emit | None) -> Any:
            document = await self._orders.find_one_and_update(
                query, update, return_document=ReturnDocument.AFTER, session=session
            )
            if document is not None and event is not None and emit is not None:
                await emit(event.routing_key, event.body)
            return document

        document = await (self._outbox.commit(change) if event else change(None, None))
        return to_order(document) if document else None

    async def update_fields(
        self, order_id: str, changes: dict[str, Any], only_if: dict[str, Any] | None = None
    ) -> Order | None:
        document = await self._orders.find_one_and_update(
            {"_id": order_id, **(only_if or {})},
            {"$set": {**changes, "updated_at": datetime.now(UTC)}, "$inc": {"version": 1}},
            return_document=ReturnDocument.AFTER,
        )
        return to_order(document) if document else None

    async def orders_to_charge(self, now: datetime, lease_s: float) -> Order | None:
        document = await self._orders.find_one_and_update(
            {"charge": "pending", "charge_next_at": {"$lte": now}},
            {"$set": {"charge_next_at": now + timedelta(seconds=lease_s)}},
            sort=[("charge_next_at", ASCENDING)],
            return_document=ReturnDocument.AFTER,
        )
        return to_order(document) if document else None

    async def charge_failed(self, order_id: str, error: str, retry_at: datetime) -> None:
        await self._orders.update_one(
            {"_id": order_id, "charge": "pending"},
            {
                "$set": {"charge_next_at": retry_at, "charge_error": error},
                "$inc": {"charge_attempts": 1},
            },
        )
