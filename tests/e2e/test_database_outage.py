"""MongoDB stopped for 15 s while orders are in flight: requests answer 503 with Retry-After (never
500), the services report themselves not ready, consumed messages wait instead of spending their
retries, and once the server is back every order reaches its expected end.

The system runs on a database server of this module's own, really stopped (SIGTERM, the process
gone) and started again on the same port and data directory while the simulator places orders
and plays the outside parties. Its Redis is its own too (service URLs cached by other tests'
services must not lead this system's calls astray).
"""

import asyncio
import re
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import pytest

from devstack.parts import MongoServer, Redis, ServiceProcess
from devstack.stack import Stack
from servicekit.mongo import MongoEngine
from servicekit.settings import ServiceSettings
from tests.conftest import TEST_API_KEY
from tests.e2e.conftest import System
from tests.e2e.test_faults import (
    FAULT_ENV,
    all_60_ended_as_expected,
    placed_at_least,
    run_simulator,
)
from tests.integration.conftest import free_port, wait_for
from tests.integration.services import dead_letter_counts

pytestmark = pytest.mark.integration

OUTAGE_S = 15.0
RETRY_AFTER_S = "5"  # the default of DATABASE_RETRY_AFTER_S
# A message that spent a retry because of the database (what must not happen).
RETRY_SPENT_ON_DATABASE = re.compile(
    r"failed \((AutoReconnect|ServerSelectionTimeoutError|NetworkTimeout|NotPrimaryError)"
)


@dataclass
class DatabaseServer:
    server: MongoServer
    stack: Stack

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.server.port}"


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Iterator[DatabaseServer]:
    """A MongoDB-compatible server of this module's own, to stop and start at will."""
    state = tmp_path_factory.mktemp("database") / "state"
    server = MongoServer(name="mongodb-outage", port=free_port(), state=state)
    stack = Stack([server], quiet=True)
    stack.up()
    try:
        yield DatabaseServer(server, stack)
    finally:
        stack.down()


@pytest.fixture(scope="module")
def cache_server(tmp_path_factory) -> Iterator[Redis]:
    server = Redis(name="redis-db-outage", port=free_port(), state=tmp_path_factory.mktemp("cache"))
    stack = Stack([server], quiet=True)
    stack.up()
    try:
        yield server
    finally:
        stack.down()


@pytest.fixture(scope="module")
def system_env(database: DatabaseServer, cache_server: Redis) -> dict[str, str]:
    redis_url = f"redis://127.0.0.1:{cache_server.port}/0"
    return {**FAULT_ENV, "MONGO_URL": database.url, "REDIS_URL": redis_url}


@pytest.fixture(scope="module")
async def mongo(database: DatabaseServer, settings: ServiceSettings) -> AsyncIterator[MongoEngine]:
    """The module's database (the services' one, not the tests' shared server)."""
    engine = MongoEngine(database.url, settings.mongo_db)
    yield engine
    await engine.close()


@dataclass
class OutageProbes:
    """What the test saw from outside while the database was down."""

    order_lists: list[tuple[int, str | None, float]] = field(default_factory=list)
    readiness: dict[str, set[int]] = field(default_factory=dict)


async def probe_during_outage(system: System, until: float) -> OutageProbes:
    """List orders (read from MongoDB, a single order may come from the cache) and ask every
    service whether it is ready, until `until` (the end of the outage)."""
    seen = OutageProbes()
    parts = {"order": system.order, "payment": system.payment, "distance": system.distance}
    headers = {"X-API-Key": TEST_API_KEY}
    async with httpx.AsyncClient(headers=headers, timeout=10) as http:

        async def list_orders() -> None:
            began = time.monotonic()
            answer = await http.get(f"{system.order_url}/v1/orders", params={"limit": 1})
            took = time.monotonic() - began
            seen.order_lists.append((answer.status_code, answer.headers.get("Retry-After"), took))

        async def readiness(name: str, part: ServiceProcess) -> None:
            ready = await http.get(f"http://127.0.0.1:{part.port}/health/ready")
            seen.readiness.setdefault(name, set()).add(ready.status_code)

        while time.monotonic() < until:
            await asyncio.gather(list_orders(), *(readiness(*item) for item in parts.items()))
            await asyncio.sleep(0.25)  # the outage's own pace, not a synchronisation
    return seen


async def answered_500(part: ServiceProcess) -> list[str]:
    """The `/metrics` series of requests the service answered with a 500."""
    async with httpx.AsyncClient(timeout=10) as http:
        metrics = (await http.get(f"http://127.0.0.1:{part.port}/metrics")).text
    return [line for line in metrics.splitlines() if 'status="500"' in line]


@pytest.mark.timeout(600)
async def test_orders_survive_the_database_being_stopped_for_15_s(
    system: System, mongo: MongoEngine, database: DatabaseServer
) -> None:
    since = datetime.now(UTC)
    async with run_simulator(system, orders=60) as finished:
        await wait_for(lambda: placed_at_least(mongo, 15), timeout_s=120, what="15 orders placed")
        stored_before = await mongo.db["orders"].count_documents({})
        probe_order = (await mongo.db["orders"].find_one({}, {"_id": 1}))["_id"]

        await asyncio.to_thread(database.stack.down)  # SIGTERM, waits until the process is gone
        assert not database.server.ready()
        stopped_at = time.monotonic()
        seen = await probe_during_outage(system, stopped_at + OUTAGE_S)
        await asyncio.to_thread(database.stack.up)  # same port, same data directory

        returncode, output = await asyncio.wait_for(finished, 400)
    await all_60_ended_as_expected(returncode, output, mongo, since, system.exchange)

    # While it was down: 503 with Retry-After, not ready, never a 500.
    assert seen.order_lists, "no request was made during the outage"
    assert {(status, retry) for status, retry, _ in seen.order_lists} == {(503, RETRY_AFTER_S)}
    assert seen.readiness == {"order": {503}, "payment": {503}, "distance": {503}}
    slowest = max(took for _, _, took in seen.order_lists)
    assert slowest < 5.0, f"a 503 took {slowest:.1f} s"
    # The data written before the stop is still there.
    assert await mongo.db["orders"].count_documents({}) >= stored_before
    async with httpx.AsyncClient(headers={"X-API-Key": TEST_API_KEY}, timeout=10) as http:
        answer = await http.get(f"{system.order_url}/v1/orders/{probe_order}")
        assert answer.status_code == 200, answer.text

    queues = (system.order_queue, system.distance_queue)
    assert await dead_letter_counts(system.env["RABBIT_URL"], *queues) == dict.fromkeys(queues, 0)
    for part in (system.order, system.payment, system.distance):
        assert await answered_500(part) == [], part.name
        log = part.log_file.read_text()
        assert "Unhandled error" not in log, part.name
        spent = [line for line in log.splitlines() if RETRY_SPENT_ON_DATABASE.search(line)]
        assert spent == [], f"{part.name} spent retries on the database outage: {spent[:3]}"
    order_log = system.order.log_file.read_text()
    assert "503, database unavailable" in order_log
