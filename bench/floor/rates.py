"""Part A: every shape's rate at growing collection sizes, the server's plans, and Redis."""

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

from pymongo import AsyncMongoClient

from bench.common import say
from bench.floor.docs import (
    SCRATCH_DB,
    Doc,
    Scratch,
    order_doc,
    order_id,
    outbox_event,
    stages,
    with_url_option,
)
from bench.floor.measure import Budget, measure, redis_rates
from bench.floor.shapes import INDEXES, SHAPES, Shape, find_by_id
from servicekit.settings import ServiceSettings


async def prepare(s: Scratch) -> None:
    """A fresh scratch database with the indexes of the new design."""
    await s.client.drop_database(SCRATCH_DB)
    for keys, options in INDEXES:
        await s.orders.create_index(keys, **options)


async def grow(s: Scratch, level: int, batch: int) -> Doc:
    """Insert orders with insert_many in big batches until `level` orders exist."""
    began, added = time.perf_counter(), 0
    while s.count < level:
        numbers = range(s.count, min(level, s.count + batch))
        await s.orders.insert_many([order_doc(n) for n in numbers], ordered=False)
        s.count += len(numbers)
        added += len(numbers)
    elapsed = time.perf_counter() - began
    return {
        "added": added,
        "seconds": round(elapsed, 1),
        "docs_per_s": round(added / elapsed) if added else None,
    }


async def set_pending(s: Scratch, share: float) -> None:
    """Make exactly `share` of the orders carry one due outbox event."""
    await s.orders.update_many(
        {"outbox_due_at": {"$exists": True}}, {"$unset": {"outbox": "", "outbox_due_at": ""}}
    )
    s.pending.clear()
    numbers = random.Random(3).sample(range(s.count), round(share * s.count))
    past = datetime.now(UTC) - timedelta(minutes=1)
    for start in range(0, len(numbers), 1000):
        ids = [order_id(n) for n in numbers[start : start + 1000]]
        due = {"$set": {"outbox": [outbox_event()], "outbox_due_at": past}}
        await s.orders.update_many({"_id": {"$in": ids}}, due)


async def explain(shape: Shape, s: Scratch) -> Doc | None:
    """What the server says about the shape's query: plan, keys and documents examined."""
    if shape.plan is None:
        return None
    try:
        answer = await shape.plan(s)
    except Exception as error:
        return {"error": repr(error)}
    stats = answer.get("executionStats", {})
    plan = stages(answer.get("queryPlanner", {}).get("winningPlan", {}))
    return {
        "plan": " > ".join(plan),
        "keys": stats.get("totalKeysExamined"),
        "docs": stats.get("totalDocsExamined"),
        "returned": stats.get("nReturned"),
    }


async def run_shape(shape: Shape, clients: dict[str, Scratch], budget: Budget) -> Doc:
    """Measure one shape (writes under both retryWrites settings, reads once) and explain it."""
    first = clients["false"]
    if shape.pending is not None:  # only reads run with a share of due events: set it once
        await set_pending(first, shape.pending)
    rates = {}
    for variant in ["false", "true"] if shape.writes else ["false"]:
        scratch = clients[variant]
        rates[variant] = await measure(lambda sc=scratch: shape.op(sc), budget)
    return {"rates": rates, "explain": await explain(shape, first)}


async def run_level(clients: dict[str, Scratch], level: int, args: argparse.Namespace) -> Doc:
    """Grow the collection to `level` orders, then measure and explain every shape."""
    first = clients["false"]
    grown = await grow(first, level, args.batch)
    for scratch in clients.values():
        scratch.count = first.count
    say(f"level {level}: {grown}")
    budget = Budget(args.seconds, args.max_ops, args.concurrency)
    for scratch in clients.values():  # open every pooled connection before the clock runs
        await measure(
            lambda sc=scratch: find_by_id(sc), Budget(0.5, 4 * args.concurrency, args.concurrency)
        )
    shapes: Doc = {}
    for shape in SHAPES:
        shapes[shape.name] = found = await run_shape(shape, clients, budget)
        rates = found["rates"].items()
        say(f"  {shape.name}: " + ", ".join(f"retryWrites={v} {r['rate']}/s" for v, r in rates))
    await set_pending(first, 0.0)
    total = await first.orders.estimated_document_count()
    return {"level": level, "documents": total, "grow": grown, "shapes": shapes}


async def profiler_works(s: Scratch) -> str:
    """Whether the server's profiler records an operation (tried on the scratch database)."""
    db = s.client[SCRATCH_DB]
    try:
        await db.command("profile", 2)
        await s.orders.find_one({"_id": "profiler-probe"})
        recorded = await db["system.profile"].count_documents({})
        await db.command("profile", 0)
    except Exception as error:
        return f"no ({error!r})"
    return f"yes ({recorded} entries for one find)" if recorded else "no entries recorded"


async def server_identity(client: AsyncMongoClient) -> str:
    """Which server answers: SecantusDB's Python or Rust server, or a MongoDB version."""
    status = await client.admin.command("serverStatus")
    secantus = status.get("secantus")
    if isinstance(secantus, dict):
        return f"SecantusDB {secantus.get('server')} server {secantus.get('version')}"
    return f"MongoDB {status.get('version')}"


async def part_a(settings: ServiceSettings, args: argparse.Namespace) -> Doc:
    """Rates of every shape at every level, the server's plans, and Redis."""
    clients: dict[str, Scratch] = {}
    for variant in ("false", "true"):
        url = with_url_option(settings.mongo_url, "retryWrites", variant)
        client: AsyncMongoClient = AsyncMongoClient(url, timeoutMS=30_000)
        clients[variant] = Scratch(
            client, client[SCRATCH_DB]["orders"], client[SCRATCH_DB]["events"]
        )
    first = clients["false"]
    try:
        server = await server_identity(first.client)
        await prepare(first)
        profiler = await profiler_works(first)
        levels = [await run_level(clients, level, args) for level in args.levels]
        budget = Budget(args.seconds, args.max_ops, args.concurrency)
        redis = await redis_rates(settings.redis_url, budget)
    finally:
        await first.client.drop_database(SCRATCH_DB)
        for scratch in clients.values():
            await scratch.client.close()
    return {"server": server, "levels": levels, "redis": redis, "profiler": profiler}
