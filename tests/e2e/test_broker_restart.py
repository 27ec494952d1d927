"""RabbitMQ restarted while orders are in flight: every order still reaches its expected end.

The system runs on a broker node of this module's own, stopped and started again while the
simulator places orders and plays the outside parties. Events committed meanwhile wait in the
outboxes and are published when the broker is back; the consumers reconnect and go on.
"""

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from devstack.parts import RabbitMQ
from devstack.stack import Stack
from servicekit.mongo import MongoEngine
from tests.e2e.conftest import System
from tests.e2e.test_faults import (
    FAULT_ENV,
    all_60_ended_as_expected,
    placed_at_least,
    run_simulator,
)
from tests.integration.conftest import private_rabbitmq, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def broker_node(tmp_path_factory) -> Iterator[RabbitMQ]:
    node = private_rabbitmq(tmp_path_factory.mktemp("broker") / "state", "rabbitmq-e2e")
    stack = Stack([node], quiet=True)
    stack.up()
    try:
        yield node
    finally:
        stack.down()


@pytest.fixture(scope="module")
def system_env(broker_node: RabbitMQ) -> dict[str, str]:
    return {**FAULT_ENV, "RABBIT_URL": f"amqp://guest:guest@127.0.0.1:{broker_node.port}/"}


@pytest.mark.timeout(900)
async def test_orders_survive_a_broker_restart_mid_flight(
    system: System, mongo: MongoEngine, broker_node: RabbitMQ
) -> None:
    since = datetime.now(UTC)
    before = await mongo.db["orders"].count_documents({})
    async with run_simulator(system, orders=60) as finished:
        await wait_for(
            lambda: placed_at_least(mongo, before + 15), timeout_s=120, what="15 orders placed"
        )
        broker = Stack([broker_node], quiet=True)
        await asyncio.to_thread(broker.down)
        await asyncio.to_thread(broker.up)
        returncode, output = await asyncio.wait_for(finished, 400)
    await all_60_ended_as_expected(returncode, output, mongo, since, system.exchange)
    for part in (system.order, system.payment, system.distance):
        _one_clear_warning_per_reconnect(part.log_file.read_text())


def _one_clear_warning_per_reconnect(log: str) -> None:
    """aio-pika's and aiormq's errors about the lost connection are kept out of the log; our own
    warning says it once, and an info line says when it is back."""
    library_errors = [
        line
        for line in log.splitlines()
        if ("| ERROR" in line or "| WARNING" in line) and ("aiormq" in line or "aio_pika" in line)
    ]
    assert library_errors == []
    assert log.count("Connection to RabbitMQ lost") == 1
    assert log.count("Reconnected to RabbitMQ after") == 1
