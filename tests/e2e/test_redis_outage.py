"""Redis stopped for 15 s while orders are in flight: orders keep moving (read from MongoDB), and
once Redis is back with the data it kept on disk, no order is served in an older state than the
one stored in MongoDB.

The system runs on a Redis of this module's own with persistence on (an append-only file), really
stopped and started again on the same port and data directory while the simulator places orders
and plays the outside parties: copies cached before the stop come back with it.
"""

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import httpx
import pytest

from devstack.parts import Redis
from devstack.stack import Stack
from servicekit.mongo import MongoEngine
from tests.conftest import TEST_API_KEY
from tests.e2e.conftest import System
from tests.e2e.test_faults import (
    FAULT_ENV,
    all_60_ended_as_expected,
    placed_at_least,
    run_simulator,
)
from tests.integration.conftest import free_port, wait_for

pytestmark = pytest.mark.integration

OUTAGE_S = 15.0


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Iterator[tuple[Redis, Stack]]:
    """A Redis of this module's own that keeps its data across a restart."""
    state = tmp_path_factory.mktemp("cache") / "state"
    server = Redis(name="redis-outage-e2e", port=free_port(), state=state, persistent=True)
    stack = Stack([server], quiet=True)
    stack.up()
    try:
        yield server, stack
    finally:
        stack.down()


@pytest.fixture(scope="module")
def system_env(cache: tuple[Redis, Stack]) -> dict[str, str]:
    return {**FAULT_ENV, "REDIS_URL": f"redis://127.0.0.1:{cache[0].port}/0"}


async def steps_between(mongo: MongoEngine, since: datetime, start: datetime, end: datetime) -> int:
    """Status changes of this run's orders made between `start` and `end`."""
    pipeline = [
        {"$match": {"created_at": {"$gte": since}}},
        {"$unwind": "$history"},
        {"$match": {"history.at": {"$gte": start, "$lte": end}}},
        {"$count": "steps"},
    ]
    found = await (await mongo.db["orders"].aggregate(pipeline)).to_list()
    return found[0]["steps"] if found else 0


async def served_unlike_stored(
    system: System, mongo: MongoEngine, since: datetime
) -> AsyncIterator[tuple[str, str, str]]:
    """(order id, status served by GET, status stored) of every order that differs."""
    stored = mongo.db["orders"].find({"created_at": {"$gte": since}}, {"status": 1})
    async with httpx.AsyncClient(headers={"X-API-Key": TEST_API_KEY}, timeout=10) as http:
        async for document in stored:
            answer = await http.get(f"{system.order_url}/v1/orders/{document['_id']}")
            assert answer.status_code == 200, answer.text
            if answer.json()["status"] != document["status"]:
                yield document["_id"], answer.json()["status"], document["status"]


@pytest.mark.timeout(600)
async def test_orders_flow_through_a_redis_outage_and_none_is_served_stale_after_it(
    system: System, mongo: MongoEngine, cache: tuple[Redis, Stack]
) -> None:
    server, stack = cache
    since = datetime.now(UTC)
    before = await mongo.db["orders"].count_documents({})
    async with run_simulator(system, orders=60) as finished:
        await wait_for(
            lambda: placed_at_least(mongo, before + 15), timeout_s=120, what="15 orders placed"
        )
        await asyncio.to_thread(stack.down)  # SIGTERM: Redis writes its file and stops
        assert not server.ready()
        stopped_at, stopped = datetime.now(UTC), time.monotonic()
        await asyncio.sleep(OUTAGE_S - (time.monotonic() - stopped))  # the outage itself
        restarted_at = datetime.now(UTC)
        await asyncio.to_thread(stack.up)  # same port and data: the copies from before are back
        returncode, output = await asyncio.wait_for(finished, 400)
    await all_60_ended_as_expected(returncode, output, mongo, since, system.exchange)

    moved = await steps_between(mongo, since, stopped_at, restarted_at)
    assert moved > 0, "no order moved on while Redis was down"
    stale = [difference async for difference in served_unlike_stored(system, mongo, since)]
    assert stale == [], f"{len(stale)} order(s) served stale, e.g. {stale[:3]}"
    log = system.order.log_file.read_text()
    assert "Redis unavailable, working from MongoDB only" in log
    assert "Unhandled error" not in log
