"""Bring OrderService's collection up to a number of stored (delivered) orders, and back."""

import asyncio
import importlib
import inspect
import random
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from bench.workload.model import MENU
from OrderService.business.state_machine import HAPPY_PATH, OrderStatus
from servicekit.mongo import MongoEngine
from servicekit.settings import ServiceSettings

PRELOAD_BATCH = 5000
# Preloaded orders' ids start with this (still UUIDs), so they can be told apart and removed.
PRELOAD_ID_PREFIX = "b0000000-"
PRELOADED = {"_id": {"$gte": PRELOAD_ID_PREFIX, "$lt": "b0000001"}}
CHARGE_GRACE_S = 30.0


@cache
def order_to_document() -> Callable[[Any], dict[str, Any]]:
    """OrderService's own Order -> document conversion (`to_document`, formerly `_to_document`)."""
    module = importlib.import_module("OrderService.repository.mongo_order_repository")
    for name in ("to_document", "_to_document"):
        convert = getattr(module, name, None)
        if callable(convert):
            if len(inspect.signature(convert).parameters) > 1:
                return lambda order, convert=convert: convert(order, CHARGE_GRACE_S)
            return convert
    raise RuntimeError(f"no to_document/_to_document in {module.__name__}")


def delivered_order(rng: random.Random, now: datetime) -> Any:
    """A plausible order that went all the way to delivered, its charge long sent."""
    from OrderService.business.models import Order
    from OrderService.business.place import request_fingerprint

    customer_id = str(uuid.uuid4())
    lines = rng.sample(MENU, rng.randint(1, 3))
    items = [{"product": name, "quantity": rng.randint(1, 3)} for name in lines]
    at = created = now - timedelta(seconds=rng.uniform(3600, 90 * 86400))
    history = []
    for status in HAPPY_PATH:
        history.append({"status": status.value, "at": at})
        at += timedelta(seconds=rng.uniform(0.2, 600))
    distance = round(rng.uniform(0.5, 25), 3)
    return Order(
        id=PRELOAD_ID_PREFIX + str(uuid.uuid4())[len(PRELOAD_ID_PREFIX) :],
        customer_id=customer_id,
        items=items,
        status=OrderStatus.DELIVERED,
        created_at=created,
        updated_at=history[-1]["at"],
        history=history,
        version=len(history) + 2,
        delivery_id=str(uuid.uuid4()),
        kitchen_id=str(uuid.uuid4()),
        charge="sent",
        distance_km=distance,
        estimated_delivery_minutes=round(15 + distance / 30 * 60, 1),
        request_fingerprint=request_fingerprint(customer_id, items),
    )


def preload_batches(count: int, seed: int) -> Iterator[list[dict[str, Any]]]:
    """`count` delivered-order documents in batches of PRELOAD_BATCH."""
    rng, now, convert = random.Random(seed), datetime.now(UTC), order_to_document()
    for start in range(0, count, PRELOAD_BATCH):
        size = min(PRELOAD_BATCH, count - start)
        yield [convert(delivered_order(rng, now)) for _ in range(size)]


async def preload(mongo: MongoEngine, count: int, seed: int) -> None:
    """Insert `count` completed orders straight into OrderService's collection."""
    if count <= 0:
        return
    began, inserted = time.perf_counter(), 0
    batches = preload_batches(count, seed)
    # The next batch is built in a thread while the database stores this one.
    building = asyncio.ensure_future(asyncio.to_thread(next, batches, None))
    while (batch := await building) is not None:
        building = asyncio.ensure_future(asyncio.to_thread(next, batches, None))
        await mongo.db["orders"].insert_many(batch, ordered=False)
        inserted += len(batch)
    elapsed = time.perf_counter() - began
    rate = inserted / elapsed
    print(f"preloaded {inserted} orders in {elapsed:.1f} s ({rate:.0f}/s)", file=sys.stderr)


async def remove_preloaded(settings: ServiceSettings) -> int:
    """Delete every preloaded order (ids starting with PRELOAD_ID_PREFIX); how many."""
    mongo = MongoEngine(settings.mongo_url, settings.mongo_db)
    try:
        return (await mongo.db["orders"].delete_many(PRELOADED)).deleted_count
    finally:
        await mongo.close()


async def stored_orders(mongo: MongoEngine) -> int:
    """How many orders the database holds."""
    return await mongo.db["orders"].count_documents({})
