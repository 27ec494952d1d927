"""Services killed while orders are in flight: every order still reaches its expected end.

Each service is killed with SIGKILL (no shutdown, no flush: what a crash or an OOM kill does)
and started again while the simulator keeps placing orders and playing the outside parties.
What was in flight must be picked up by the new process: unacked messages come back, outbox
records are swept, a charge not yet sent is resent, and the parties ride out the gap.
"""

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest

from devstack.parts import ServiceProcess
from devstack.process import is_alive
from devstack.stack import Stack
from servicekit.mongo import MongoEngine
from servicekit.outbox import count_pending
from tests.e2e.conftest import System
from tests.e2e.test_simulator import row
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration

# A charge lost with its process is resent 5 s after the order was stored (30 s by default);
# a message whose handler met a service being restarted is retried with the production
# back-off (the other tests use 100 and 300 ms, shorter than a restart).
FAULT_ENV = {"CHARGE_GRACE_S": "5", "RETRY_DELAYS_MS": "[250,1000,5000,30000]"}


@pytest.fixture(scope="module")
def system_env() -> dict[str, str]:
    return FAULT_ENV


def kill_and_restart(part: ServiceProcess) -> int:
    """SIGKILL the service, start it again on its port; returns the new pid."""
    pid = int(part.pid_file.read_text())
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while is_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)  # a killed process is gone within milliseconds; bounded anyway
    assert not is_alive(pid), f"{part.name} ({pid}) survived SIGKILL"
    Stack([part], quiet=True).up()  # waits until it answers
    new_pid = int(part.pid_file.read_text())
    assert new_pid != pid
    return new_pid


@asynccontextmanager
async def run_simulator(system: System, orders: int) -> AsyncIterator[asyncio.Task]:
    """The simulator as a process, 10% failed payments and 10% cancellations; yields a task
    that ends with its exit status and output. Killed if still running at exit."""
    simulator = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "simulator",
        "--order-url", system.order_url,
        "--payment-url", system.payment_url,
        "--exchange", system.exchange,
        "--orders", str(orders), "--concurrency", "10",
        "--fail-share", "0.1", "--cancel-share", "0.1", "--timeout", "120",
        env=system.env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip

    async def finish() -> tuple[int, str]:
        output, _ = await simulator.communicate()  # read all along: a full pipe would block it
        return (-1 if simulator.returncode is None else simulator.returncode), output.decode()

    finished = asyncio.create_task(finish())
    try:
        yield finished
    finally:
        if simulator.returncode is None:
            simulator.kill()
            await simulator.wait()
        await asyncio.gather(finished, return_exceptions=True)


async def placed_at_least(mongo: MongoEngine, count: int) -> bool:
    return await mongo.db["orders"].count_documents({}) >= count


async def all_60_ended_as_expected(
    returncode: int, output: str, mongo: MongoEngine, since: datetime, exchange: str
) -> None:
    """The simulator's 60 orders (10% failed payments, 10% cancellations) all ended as
    expected, every one has its distance, and no service left an event unpublished."""
    assert returncode == 0, output
    assert row(output, "delivered")[1:] == ["48", "48"]
    assert row(output, "paymentFailed")[1:] == ["6", "6"]
    assert row(output, "reimbursed")[1:] == ["6", "6"]
    await wait_for(
        lambda: every_order_has_its_distance(mongo, since, 60),
        timeout_s=120,
        what="every order's distance",
    )
    await wait_for(
        lambda: nothing_left_unpublished(mongo, exchange),
        timeout_s=90,  # a record leased by a killed process waits out its 30 s lease
        what="every outbox record published",
    )


async def nothing_left_unpublished(mongo: MongoEngine, exchange: str) -> bool:
    services = ("OrderService", "PaymentService", "DistanceService")
    sources = [f"{service}@{exchange}" for service in services]
    collections = (mongo.db.orders, mongo.db.payments, mongo.db.distances)
    counts = [await count_pending(collection, sources) for collection in collections]
    return sum(counts) == 0


async def every_order_has_its_distance(mongo: MongoEngine, since: datetime, count: int) -> bool:
    """The distance may come after an order's end (a DistanceService restart delays it): the
    promise is that it comes, not when."""
    orders = mongo.db["orders"]
    placed = await orders.count_documents({"created_at": {"$gte": since}})
    without = await orders.count_documents({"created_at": {"$gte": since}, "distance_km": None})
    return placed == count and without == 0


@pytest.mark.timeout(900)
async def test_orders_survive_each_service_being_killed_mid_flight(
    system: System, mongo: MongoEngine
) -> None:
    since = datetime.now(UTC)
    before = await mongo.db["orders"].count_documents({})
    async with run_simulator(system, orders=60) as finished:
        for placed, part in ((10, system.order), (25, system.payment), (40, system.distance)):
            await wait_for(
                lambda placed=placed: placed_at_least(mongo, before + placed),
                timeout_s=60,
                what=f"{placed} orders placed",
            )
            await asyncio.to_thread(kill_and_restart, part)
        returncode, output = await asyncio.wait_for(finished, 400)
    await all_60_ended_as_expected(returncode, output, mongo, since, system.exchange)
