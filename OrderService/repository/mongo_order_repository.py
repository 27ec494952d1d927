"""Orders in MongoDB: each change is one conditional single-document write that also stores the
events it causes (the outbox inside the order), through servicekit's StateStore."""

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel

from OrderService.business.charge_progress import ChargeProgress
from OrderService.business.models import Order, OrderQuery, Page
from servicekit.contracts import Event
from servicekit.document_store import DocumentStore
from servicekit.mongo import CollectionIndexes
from servicekit.outbox import OUTBOX_INDEX
from servicekit.state_store import EntityCodec, StateStore

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
        # Paid orders waiting in orderCancelled for their money to come back (stuck_orders.py);
        # only cancelled orders are in it, so it costs nothing on the way to delivered.
        IndexModel(
            [("status", ASCENDING), ("history.status", ASCENDING), ("updated_at", ASCENDING)],
            partialFilterExpression={"status": "orderCancelled"},
        ),
        OUTBOX_INDEX,
    ],
)
CODEC = EntityCodec(Order)
CHARGE_DUE = {"charge": ChargeProgress.PENDING.value}


def charge_schedule(charge_grace_s: float) -> Callable[[Order], dict[str, Any]]:
    """When a new order's charge is first due: after the grace the immediate attempt has."""
    return lambda order: {"charge_next_at": order.created_at + timedelta(seconds=charge_grace_s)}


def to_document(order: Order, charge_grace_s: float) -> dict[str, Any]:
    return {**CODEC.to_document(order), **charge_schedule(charge_grace_s)(order)}


class MongoOrderRepository(StateStore[Order]):
    def __init__(self, documents: DocumentStore, charge_grace_s: float = 30.0) -> None:
        super().__init__(documents, Order, charge_schedule(charge_grace_s))

    async def add(self, order: Order, event: Event) -> Order:
        if await self.insert(order, [event]):
            return order
        existing = await self.find_one(idempotency_key=order.idempotency_key)
        if existing is None:
            raise RuntimeError(f"order {order.id} clashes with an order that is not there")
        return existing

    async def load(self, order_id: str) -> Order | None:
        return await self.get(order_id)

    async def list(self, query: OrderQuery) -> Page:
        match: dict[str, Any] = {}
        if query.status is not None:
            match["status"] = query.status.value
        if query.customer_id is not None:
            match["customer_id"] = query.customer_id
        found = self.documents.collection.find(match).sort("created_at", DESCENDING)
        cursor = found.skip(query.offset).limit(query.limit)
        items = [CODEC.to_entity(document) async for document in cursor]
        total = await self.documents.collection.count_documents(match)
        return Page(items, total, query.limit, query.offset)

    async def orders_to_charge(
        self, now: datetime, lease_s: float, limit: int = 50
    ) -> Sequence[Order]:
        due = await self.documents.find(
            {**CHARGE_DUE, "charge_next_at": {"$lte": now}},
            sort=[("charge", ASCENDING), ("charge_next_at", ASCENDING)],
            limit=limit,
        )
        leased = []
        for document in due:
            # Lease each with a compare-and-set on its due time: two instances never both
            # charge it now (a charge sent twice is answered once by PaymentService anyway).
            lease = await self.documents.update(
                {"_id": document["_id"], "charge_next_at": document["charge_next_at"]},
                {"$set": {"charge_next_at": now + timedelta(seconds=lease_s)}},
            )
            if lease is not None:
                leased.append(CODEC.to_entity(lease))
        return leased

    async def charge_failed(self, order_id: str, error: str, retry_at: datetime) -> None:
        await self.documents.update(
            {"_id": order_id, **CHARGE_DUE},
            {
                "$set": {"charge_next_at": retry_at, "charge_error": error},
                "$inc": {"charge_attempts": 1},
            },
        )
