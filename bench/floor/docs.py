"""Scratch orders for part A: documents, their transitions and events, and where they live."""

import hashlib
import random
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection

from servicekit.contracts import status_event

Doc = dict[str, Any]
SCRATCH_DB = "bench_floor"
START = datetime(2026, 1, 1, tzinfo=UTC)
STATUS_CYCLE = ("delivered",) * 6 + ("placed", "paid", "preparing", "delivering")
HISTORY = (
    "created",
    "paymentPending",
    "paymentPaid",
    "kitchenBooked",
    "kitchenPreparing",
    "kitchenReady",
    "driverAssigned",
    "pickedUp",
    "onTheWay",
    "delivered",
)
CHARGE_EVERY = 200  # one order in 200 has a charge due (0.5 %)


def with_url_option(url: str, name: str, value: str) -> str:
    """The MongoDB URL with one query option set, replacing it when already present."""
    base, _, query = url.partition("?")
    if "/" not in base.partition("://")[2]:
        base += "/"
    kept = [
        item for item in query.split("&") if item and item.split("=")[0].lower() != name.lower()
    ]
    return f"{base}?{'&'.join([*kept, f'{name}={value}'])}"


def stable_uuid(kind: str, number: int) -> str:
    """A uuid-shaped string that is the same for the same kind and number."""
    digest = hashlib.md5(f"{kind}-{number}".encode(), usedforsecurity=False).digest()
    return str(uuid.UUID(bytes=digest, version=4))


def order_id(number: int) -> str:
    """The _id of the scratch order with this number."""
    return stable_uuid("order", number)


def status_of(number: int) -> str:
    """The status of the scratch order with this number (60 % delivered, 10 % each other)."""
    return STATUS_CYCLE[number % len(STATUS_CYCLE)]


def customer_of(number: int) -> str:
    """The customer of the scratch order with this number (five orders per customer)."""
    return stable_uuid("customer", number // 5)


def order_doc(number: int) -> Doc:
    """An order-shaped document: items, a history of ten steps, a charge, maybe a key."""
    created = START + timedelta(seconds=number)
    doc: Doc = {
        "_id": order_id(number),
        "status": status_of(number),
        "customer_id": customer_of(number),
        "items": [
            {"product": "Lasagna", "quantity": 1, "price": 129.0},
            {"product": "Tiramisu", "quantity": 2, "price": 59.0},
        ],
        "address": {"street": "Drottninggatan 1", "city": "Stockholm", "zip": "11151"},
        "history": [
            {"status": step, "at": created + timedelta(seconds=k)} for k, step in enumerate(HISTORY)
        ],
        "created_at": created,
        "updated_at": created,
        "version": len(HISTORY),
        "charge": "pending" if number % CHARGE_EVERY == 0 else "sent",
    }
    if number % CHARGE_EVERY == 0:
        doc["charge_next_at"] = created
    if number % 2 == 0:
        doc["idempotency_key"] = f"idem-{number}"
    return doc


def outbox_event() -> Doc:
    """One pending event as it sits in an order's `outbox` array."""
    event = status_event("order.cancelled", "bench", str(uuid.uuid4()), str(uuid.uuid4()))
    return {
        "id": str(uuid.uuid4()),
        "routing_key": event.routing_key,
        "body": event.body,
        "created_at": datetime.now(UTC),
    }


def transition(number: int, event: Doc | None = None) -> tuple[Doc, Doc]:
    """Filter and update of one status transition ($set, $push history, $inc version)."""
    now = datetime.now(UTC)
    status = status_of(number)
    push: Doc = {"history": {"status": status, "at": now}}
    assign: Doc = {"status": status, "updated_at": now}
    if event is not None:
        push["outbox"] = event
        assign["outbox_due_at"] = now + timedelta(seconds=30)
    update = {"$set": assign, "$push": push, "$inc": {"version": 1}}
    return {"_id": order_id(number), "status": status}, update


def stages(node: Doc) -> list[str]:
    """The stages of a winning plan, outermost first (IXSCAN with its index name)."""
    name = str(node.get("stage", "?"))
    if name == "IXSCAN":
        name = f"IXSCAN {node.get('indexName')}"
    children = node.get("inputStages") or ([node["inputStage"]] if "inputStage" in node else [])
    return [name] + [stage for child in children for stage in stages(child)]


@dataclass
class Scratch:
    """The scratch collections and what the shapes need to pick existing documents."""

    client: AsyncMongoClient
    orders: AsyncCollection
    events: AsyncCollection
    count: int = 0
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    pending: list[tuple[str, str]] = field(default_factory=list)

    def pick(self, step: int = 1) -> int:
        """A random existing order number (a multiple of `step`)."""
        return self.rng.randrange(0, self.count, step)

    def bind(self, client: AsyncMongoClient) -> "Scratch":
        """The same scratch state seen through another client."""
        db = client[SCRATCH_DB]
        return replace(self, client=client, orders=db["orders"], events=db["events"])
