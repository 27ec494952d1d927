"""A RabbitMQ node killed while orders are in flight: the services move to another node of the
cluster, and every order still reaches its expected end.

Three nodes of this module's own form a cluster; the services get the three URLs and quorum
queues (each queue has a member on every node). The node they are connected to is killed with
SIGKILL while the simulator runs 60 orders: the services must be back on another node while it
is down, nothing may be dead-lettered, and the node must rejoin once started again.
"""

import asyncio
import urllib.parse
import uuid
from collections.abc import AsyncIterator, Awaitable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from devstack.parts import RabbitMQ, rabbitmq_cluster
from devstack.process import crash
from devstack.stack import Stack
from servicekit.cache import RedisCache
from servicekit.mongo import MongoEngine
from servicekit.service_urls import ServiceUrlCache
from servicekit.settings import ServiceSettings
from tests.conftest import TEST_API_KEY
from tests.e2e.conftest import System
from tests.e2e.test_broker_restart import _one_clear_warning_per_reconnect
from tests.e2e.test_faults import (
    FAULT_ENV,
    all_60_ended_as_expected,
    placed_at_least,
    run_simulator,
)
from tests.integration.conftest import private_rabbitmq, wait_for
from tests.integration.services import dead_letter_counts, service_env, start_service

pytestmark = pytest.mark.integration

SERVICES = ("OrderService", "PaymentService", "DistanceService")
# A Redis db of this module's own: other tests running at the same time (db 15) register their
# own PaymentService, whose URL our OrderService would otherwise find in the shared cache.
REDIS_URL = "redis://127.0.0.1:6379/14"


def amqp_url(node: RabbitMQ) -> str:
    return f"amqp://guest:guest@127.0.0.1:{node.port}/"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[list[RabbitMQ]]:
    state = tmp_path_factory.mktemp("cluster") / "state"
    nodes = rabbitmq_cluster([private_rabbitmq(state, f"rabbitmq-c{n}") for n in (1, 2, 3)])
    stack = Stack(nodes, quiet=True)
    stack.up()  # each node waits until it runs in the cluster with the ones before it
    try:
        yield nodes
    finally:
        stack.down()  # by pid: a node started again by the test too


@pytest.fixture(scope="module")
async def system(
    settings: ServiceSettings,
    service_urls: ServiceUrlCache,  # the mocks' URLs, in the tests' database
    mongo: MongoEngine,
    tmp_path_factory,
    cluster: list[RabbitMQ],
) -> AsyncIterator[System]:
    """The three services on the cluster (every URL, quorum queues); the queues go with it."""
    exchange = f"test-cluster-{uuid.uuid4().hex[:6]}"
    urls = ",".join(amqp_url(node) for node in cluster)
    env = service_env(settings, exchange, **FAULT_ENV, REDIS_URL=REDIS_URL, LOG_LEVEL="INFO")
    env |= {"RABBIT_URL": urls, "QUEUE_TYPE": "quorum"}
    state = tmp_path_factory.mktemp("cluster-services")
    stacks: list[Stack] = []
    cache = Redis.from_url(REDIS_URL, decode_responses=True)
    our_urls = ServiceUrlCache(mongo.db, RedisCache(cache), ttl_s=3600)
    try:
        parts = []
        for module in SERVICES:
            started, part = start_service(module, state, env)
            stacks.append(started)
            parts.append(part)
            if module == "PaymentService":
                await our_urls.register(module, f"http://127.0.0.1:{part.port}")
        # The simulator plays the outside parties over one URL: a node that stays up.
        simulator_env = {**env, "RABBIT_URL": amqp_url(cluster[1]), "SERVICE_API_KEY": TEST_API_KEY}
        yield System(simulator_env, exchange, "OrderService", "DistanceService", *parts)
    finally:
        for started in reversed(stacks):
            started.down()
        await cache.aclose()


async def management(node: RabbitMQ, path: str) -> Any:
    async with httpx.AsyncClient(auth=("guest", "guest"), timeout=5) as client:
        response = await client.get(f"http://127.0.0.1:{node.management_port}/api/{path}")
        response.raise_for_status()
        return response.json()


async def services_on(seen_from: RabbitMQ, nodes: set[str]) -> bool:
    """Whether every service has a connection, each on one of `nodes`."""
    connections = await management(seen_from, "connections")
    node_of = {
        connection["client_properties"].get("connection_name"): connection["node"]
        for connection in connections
    }
    return all(node_of.get(service) in nodes for service in SERVICES)


async def running_nodes(node: RabbitMQ) -> set[str]:
    return set(await asyncio.to_thread(node.running_nodes))


async def members_online(node: RabbitMQ, queue: str) -> set[str]:
    """The quorum queue's members that are up (as `node` sees them)."""
    details = await management(node, f"queues/%2F/{urllib.parse.quote(queue, safe='')}")
    return set(details.get("online", []))


@pytest.mark.timeout(400)
async def test_orders_survive_the_services_broker_node_being_killed(
    system: System, mongo: MongoEngine, cluster: list[RabbitMQ]
) -> None:
    first, survivor, last = cluster
    everyone = {node.node_name for node in cluster}
    others = everyone - {first.node_name}
    await wait_for(
        lambda: services_on(survivor, {first.node_name}), what="the services on the first node"
    )
    since = datetime.now(UTC)
    before = await mongo.db["orders"].count_documents({})
    async with run_simulator(system, orders=60) as finished:
        await wait_for(
            lambda: placed_at_least(mongo, before + 15), timeout_s=120, what="15 orders placed"
        )
        # SIGKILL to the node's process group (the Erlang VM and its helpers), until gone.
        await asyncio.to_thread(crash, int(first.pid_file.read_text()))
        await wait_for(
            lambda: services_on(survivor, others),
            timeout_s=45,
            what="every service on another node while the first is down",
        )
        await asyncio.to_thread(Stack([first], quiet=True).up)
        returncode, output = await asyncio.wait_for(finished, 300)
    await all_60_ended_as_expected(returncode, output, mongo, since, system.exchange)
    for part in (system.order, system.payment, system.distance):
        _one_clear_warning_per_reconnect(part.log_file.read_text())
    queues = [system.order_queue, system.distance_queue]  # PaymentService only publishes
    assert await dead_letter_counts(amqp_url(last), *queues) == dict.fromkeys(queues, 0)
    for seen_from in (first, last):
        await wait_for(
            lambda seen_from=seen_from: _is(running_nodes(seen_from), everyone),
            timeout_s=30,
            what=f"every node running, as {seen_from.name} sees it",
        )
    for queue in queues:
        await wait_for(
            lambda queue=queue: _is(members_online(last, queue), everyone),
            timeout_s=30,
            what=f"every member of {queue} online",
        )


async def _is(found: Awaitable[set[str]], expected: set[str]) -> bool:
    return await found == expected
