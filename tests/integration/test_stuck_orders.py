"""Stuck orders on the real MongoDB (SecantusDB locally): counted and listed by index scans, an
ended order never, a cancelled one only while it waits for its money; and `python -m ops.stuck`
lists them, the longest unchanged first."""

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from OrderService.business.models import Order
from OrderService.business.state_machine import FINAL, OrderStatus
from OrderService.repository.mongo_order_repository import ORDER_INDEXES, to_document
from OrderService.repository.stuck_orders import StuckOrders, stuck_query
from OrderService.settings import STUCK_AFTER_S
from servicekit.mongo import MongoEngine
from servicekit.settings import ServiceSettings
from tests.conftest import TEST_API_KEY

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
S = OrderStatus


def document(status: S, unchanged_s: float, *, paid: bool = False) -> dict[str, Any]:
    """An order as stored, last changed `unchanged_s` ago (and created 10 s before that)."""
    changed = datetime.now(UTC) - timedelta(seconds=unchanged_s)
    created = changed - timedelta(seconds=10)
    steps = ["created", *(["paymentPaid"] if paid else []), status.value]
    history = [{"status": step, "at": created} for step in dict.fromkeys(steps)]
    order = Order(str(uuid.uuid4()), str(uuid.uuid4()), [], status, created, changed, history)
    return to_document(order, 30)


@pytest.fixture
async def orders(mongo: MongoEngine) -> AsyncIterator[Any]:
    """An orders collection of the test's own, with the service's indexes."""
    collection = mongo.db[f"orders-stuck-{uuid.uuid4().hex[:8]}"]
    await collection.create_indexes(list(ORDER_INDEXES.indexes))
    yield collection
    await collection.drop()


async def store(collection: Any, *documents: dict[str, Any]) -> list[str]:
    await collection.insert_many(list(documents))
    return [doc["_id"] for doc in documents]


async def test_only_orders_unchanged_longer_than_their_status_takes_are_stuck(orders) -> None:
    stuck = await store(
        orders,
        document(S.CREATED, 200),
        document(S.DELIVERY_SCHEDULED, 2000),
        document(S.ORDER_CANCELLED, 1000, paid=True),  # waits for its reimbursement
    )
    await store(
        orders,
        document(S.CREATED, 10),
        document(S.DELIVERY_SCHEDULED, 1000),  # waiting for a driver is normal for 30 min
        document(S.ORDER_CANCELLED, 100_000),  # never paid: it has ended
        document(S.DELIVERED, 100_000),
        document(S.PAYMENT_FAILED, 100_000),
        document(S.REIMBURSED, 100_000, paid=True),
    )
    counts = await StuckOrders(orders, STUCK_AFTER_S).count(datetime.now(UTC))
    assert set(counts) == set(S) - FINAL
    expected = {S.CREATED: 1, S.DELIVERY_SCHEDULED: 1, S.ORDER_CANCELLED: 1}
    assert counts == {status: expected.get(status, 0) for status in counts}
    oldest = await StuckOrders(orders, STUCK_AFTER_S).oldest(datetime.now(UTC), limit=10)
    assert [order.id for order in oldest] == [stuck[1], stuck[2], stuck[0]]
    assert [order.status for order in oldest] == [
        S.DELIVERY_SCHEDULED,
        S.ORDER_CANCELLED,
        S.CREATED,
    ]


async def test_the_oldest_come_first_and_the_limit_holds(orders) -> None:
    ids = await store(orders, *(document(S.IN_TRANSIT, 8000 + age) for age in (5, 50, 20)))
    oldest = await StuckOrders(orders, STUCK_AFTER_S).oldest(datetime.now(UTC), limit=2)
    assert [order.id for order in oldest] == [ids[1], ids[2]]


def stages(plan: dict[str, Any]) -> list[dict[str, Any]]:
    children = [plan.get("inputStage"), *plan.get("inputStages", [])]
    return [plan, *(stage for child in children if child for stage in stages(child))]


async def test_each_status_is_counted_by_an_index_scan_that_skips_the_ended_orders(
    mongo: MongoEngine, orders
) -> None:
    ended = [document(S.DELIVERED, 100_000) for _ in range(30)]
    unpaid = [document(S.ORDER_CANCELLED, 100_000) for _ in range(30)]
    await store(orders, *ended, *unpaid, document(S.ORDER_CANCELLED, 5000, paid=True))
    cutoff = datetime.now(UTC) - timedelta(seconds=60)
    for status in set(S) - FINAL:
        explained = await mongo.db.command(
            {
                "explain": {"find": orders.name, "filter": stuck_query(status, cutoff)},
                "verbosity": "executionStats",
            }
        )
        plan = stages(explained["queryPlanner"]["winningPlan"])
        assert [stage["stage"] for stage in plan if "SCAN" in stage["stage"]] == ["IXSCAN"]
        expected = 1 if status == S.ORDER_CANCELLED else 0  # the 30 unpaid never looked at
        assert explained["executionStats"]["totalDocsExamined"] == expected, status


def ops_stuck(mongo_url: str, database: str, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "MONGO_URL": mongo_url,
        "MONGO_DB": database,
        "SERVICE_API_KEY": TEST_API_KEY,
        "ENVIRONMENT": "test",
    }
    env.pop("STUCK_AFTER_S", None)
    return subprocess.run(
        [sys.executable, "-m", "ops.stuck", *args],
        cwd=ROOT / "tests",  # no developer's .env
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
async def database(mongo: MongoEngine) -> AsyncIterator[str]:
    """A database of the test's own: the script reads its `orders` collection."""
    name = f"test_stuck_{uuid.uuid4().hex[:8]}"
    await mongo.client[name].orders.create_indexes(list(ORDER_INDEXES.indexes))
    yield name
    await mongo.client.drop_database(name)


def count_line(output: str, status: str) -> int:
    line = next(line for line in output.splitlines() if line.split()[:1] == [status])
    return int(line.split()[1])


async def test_ops_stuck_lists_the_stuck_orders_oldest_first_with_a_count_per_status(
    mongo: MongoEngine, database: str, settings: ServiceSettings
) -> None:
    older, old, fresh, ended = (
        document(S.DELIVERY_SCHEDULED, 7300),
        document(S.COOKING_MEAL, 3700),
        document(S.DELIVERY_SCHEDULED, 30),
        document(S.DELIVERED, 100_000),
    )
    await store(mongo.client[database].orders, older, old, fresh, ended)
    listed = ops_stuck(settings.mongo_url, database)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[1].split()[:3] == [older["_id"], "deliveryScheduled", "2h"]
    assert lines[1].split()[-1] == older["customer_id"]
    assert lines[2].split()[:2] == [old["_id"], "cookingMeal"]
    assert fresh["_id"] not in listed.stdout and ended["_id"] not in listed.stdout
    assert count_line(listed.stdout, "deliveryScheduled") == 1
    assert count_line(listed.stdout, "total") == 2

    one = ops_stuck(settings.mongo_url, database, "--status", "deliveryScheduled", "--limit", "1")
    assert [older["_id"] in one.stdout, old["_id"] in one.stdout] == [True, False]
    assert count_line(one.stdout, "total") == 1

    everything = ops_stuck(settings.mongo_url, database, "--older-than", "10")
    assert fresh["_id"] in everything.stdout and ended["_id"] not in everything.stdout
    assert count_line(everything.stdout, "deliveryScheduled") == 2


def test_ops_stuck_says_clearly_when_mongodb_is_not_there() -> None:
    answer = ops_stuck("mongodb://127.0.0.1:1", "nothing")
    assert answer.returncode == 1
    assert "error: MongoDB is not reachable" in answer.stderr
    assert "Traceback" not in answer.stderr


def test_ops_stuck_has_help_with_its_options() -> None:
    answer = ops_stuck("mongodb://127.0.0.1:1", "nothing", "--help")
    assert answer.returncode == 0
    assert "usage: python -m ops.stuck" in answer.stdout
    assert all(option in answer.stdout for option in ("--status", "--limit", "--older-than"))
