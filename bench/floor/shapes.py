"""The database operation shapes of the design: how to run each once and which query to explain."""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from pymongo import DESCENDING, ReturnDocument
from pymongo.asynchronous.cursor import AsyncCursor

from bench.floor.docs import (
    Doc,
    Scratch,
    customer_of,
    order_doc,
    order_id,
    outbox_event,
    transition,
)

Op = Callable[[Scratch], Awaitable[object]]
Plan = Callable[[Scratch], AsyncCursor]
Explain = Callable[[Scratch], Awaitable[Doc]]


@dataclass(frozen=True)
class Shape:
    """One database operation shape: how to run it once and which query to explain."""

    name: str
    op: Op
    writes: bool = False
    plan: Explain | None = None
    pending: float | None = None  # share of orders with a due outbox event before the run


async def insert_one(s: Scratch) -> None:
    """A new order."""
    doc = order_doc(s.pick())
    doc["_id"] = str(uuid.uuid4())
    doc["idempotency_key"] = f"idem-{uuid.uuid4()}"
    await s.orders.insert_one(doc)


async def find_by_id(s: Scratch) -> None:
    """Read one order by _id."""
    await s.orders.find_one({"_id": order_id(s.pick())})


async def update_transition(s: Scratch) -> None:
    """A status transition as one update_one."""
    await s.orders.update_one(*transition(s.pick()))


async def update_with_event(s: Scratch) -> None:
    """A transition that also pushes its event into the order's outbox (one write)."""
    number, event = s.pick(), outbox_event()
    await s.orders.update_one(*transition(number, event))
    s.pending.append((order_id(number), event["id"]))


async def find_and_update(s: Scratch) -> None:
    """A transition as findAndModify, returning the document after."""
    await s.orders.find_one_and_update(*transition(s.pick()), return_document=ReturnDocument.AFTER)


async def mark_published(s: Scratch) -> None:
    """Pull 20 published events by id, then unset outbox_due_at where the outbox is empty."""
    batch = [s.pending.pop() for _ in range(min(20, len(s.pending)))]
    batch += [(order_id(s.pick()), str(uuid.uuid4())) for _ in range(20 - len(batch))]
    ids = [doc_id for doc_id, _ in batch]
    pull = {"$pull": {"outbox": {"id": {"$in": [event_id for _, event_id in batch]}}}}
    await s.orders.update_many({"_id": {"$in": ids}}, pull)
    empty = {"_id": {"$in": ids}, "outbox": {"$size": 0}}
    await s.orders.update_many(empty, {"$unset": {"outbox_due_at": ""}})


def sweep_cursor(s: Scratch) -> AsyncCursor:
    """Due outbox events, oldest first."""
    due = {"outbox_due_at": {"$lte": datetime.now(UTC)}}
    return s.orders.find(due).sort("outbox_due_at", 1).limit(50)


def charge_cursor(s: Scratch) -> AsyncCursor:
    """Charges due for a (re)try."""
    due = {"charge": "pending", "charge_next_at": {"$lte": datetime.now(UTC)}}
    return s.orders.find(due).limit(50)


def list_cursor(status: str) -> Plan:
    """A page of the newest orders in one status."""
    return lambda s: s.orders.find({"status": status}).sort("created_at", DESCENDING).limit(20)


def customer_cursor(s: Scratch) -> AsyncCursor:
    """A page of one customer's newest orders."""
    mine = {"customer_id": customer_of(s.pick())}
    return s.orders.find(mine).sort("created_at", DESCENDING).limit(20)


def fetch(plan: Plan) -> Op:
    """An op that reads the whole first batch of a cursor."""
    return lambda s: plan(s).to_list()


async def count_placed(s: Scratch) -> None:
    """The total of a list page alone."""
    await s.orders.count_documents({"status": "placed"})


def list_page(status: str) -> Op:
    """A list page and its total, as the list endpoint does."""

    async def run(s: Scratch) -> None:
        """The page, then its total."""
        await list_cursor(status)(s).to_list()
        await s.orders.count_documents({"status": status})

    return run


async def find_by_key(s: Scratch) -> None:
    """Read one order by its unique idempotency key."""
    await s.orders.find_one({"idempotency_key": f"idem-{s.pick(2)}"})


async def transaction(s: Scratch) -> None:
    """The old design: update the order and insert its event into another collection, atomically."""
    number = s.pick()
    async with s.client.start_session() as session, await session.start_transaction():
        await s.orders.update_one(*transition(number), session=session)
        event = {"_id": str(uuid.uuid4()), "order_id": order_id(number), **outbox_event()}
        await s.events.insert_one(event, session=session)


def read_plan(plan: Plan) -> Explain:
    """The server's explain of a query."""
    return lambda s: plan(s).explain()


async def update_plan(s: Scratch) -> Doc:
    """The server's explain of a transition's update command."""
    query, update = transition(s.pick())
    command = {"update": "orders", "updates": [{"q": query, "u": update}]}
    return await s.orders.database.command("explain", command, verbosity="executionStats")


async def find_and_modify_plan(s: Scratch) -> Doc:
    """The server's explain of a transition as findAndModify."""
    query, update = transition(s.pick())
    command = {"findAndModify": "orders", "query": query, "update": update, "new": True}
    return await s.orders.database.command("explain", command, verbosity="executionStats")


async def mark_plan(s: Scratch) -> Doc:
    """The server's explain of the second published mark (ids and an empty outbox)."""
    ids = [order_id(s.pick()) for _ in range(20)]
    query = {"_id": {"$in": ids}, "outbox": {"$size": 0}}
    command = {"update": "orders", "updates": [{"q": query, "u": {"$unset": {"outbox_due_at": ""}},
                                                "multi": True}]}  # fmt: skip
    return await s.orders.database.command("explain", command, verbosity="executionStats")


SHAPES: list[Shape] = [
    Shape("insert_one order", insert_one, writes=True),
    Shape("find_one {_id}", find_by_id,
          plan=read_plan(lambda s: s.orders.find({"_id": order_id(s.pick())}))),
    Shape("transition: update_one {_id, status}", update_transition, True, update_plan),
    Shape("transition + outbox event (one update_one)", update_with_event, True, update_plan),
    Shape("find_one_and_update {_id, status} (after)", find_and_update, True,
          find_and_modify_plan),
    Shape("mark published: 2 update_many {_id $in 20}", mark_published, True, mark_plan),
    Shape("transaction: update + insert (old design)", transaction, True, update_plan),
    Shape("find_one {idempotency_key} (unique partial)", find_by_key,
          plan=read_plan(lambda s: s.orders.find({"idempotency_key": f"idem-{s.pick(2)}"}))),
    Shape("sweep outbox_due_at<=now limit 50, 0 due", fetch(sweep_cursor),
          plan=read_plan(sweep_cursor), pending=0.0),
    Shape("sweep outbox_due_at<=now limit 50, 1% due", fetch(sweep_cursor),
          plan=read_plan(sweep_cursor), pending=0.01),
    Shape("charge sweep {charge, charge_next_at<=now} limit 50", fetch(charge_cursor),
          plan=read_plan(charge_cursor)),
    Shape("list page {status: placed} (10%) + count", list_page("placed"),
          plan=read_plan(list_cursor("placed"))),
    Shape("list page {status: delivered} (60%) + count", list_page("delivered"),
          plan=read_plan(list_cursor("delivered"))),
    Shape("count_documents {status: placed} alone", count_placed,
          plan=read_plan(lambda s: s.orders.find({"status": "placed"}))),
    Shape("customer page {customer_id} sort created_at", fetch(customer_cursor),
          plan=read_plan(customer_cursor)),
]  # fmt: skip


INDEXES: list[tuple[list[tuple[str, int]], Doc]] = [
    ([("created_at", -1)], {}),
    ([("status", 1), ("created_at", -1)], {}),
    ([("customer_id", 1), ("created_at", -1)], {}),
    ([("idempotency_key", 1)],
     {"unique": True, "partialFilterExpression": {"idempotency_key": {"$type": "string"}}}),
    ([("charge", 1), ("charge_next_at", 1)], {}),
    ([("outbox_due_at", 1)], {"sparse": True}),
]  # fmt: skip
