"""Prometheus as `make up` runs it (a private one here, on a free port): it scrapes our three
services and RabbitMQ, node-wide and per queue, and has our recording rules and alerts loaded."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aio_pika
import httpx
import pytest

from devstack.parts import SERVICES, Prometheus, RabbitMQ
from devstack.stack import Stack
from servicekit.settings import ServiceSettings
from tests.integration.conftest import free_port, wait_for
from tests.integration.services import delete_service_queues, service_env, start_service

pytestmark = pytest.mark.integration

JOBS = {*SERVICES, "RabbitMQ", "RabbitMQQueues"}
ALERTS = {
    "DeadLetterQueueNotEmpty",
    "OutboxLag",
    "OrdersStuck",
    "ConsumerNotSubscribed",
    "TargetDown",
}
SCRAPE_S = 5  # the scrape and rule evaluation interval of prometheus/prometheus.yml


@pytest.fixture(scope="module")
def queue_prefix() -> str:
    return f"test-prom-{uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="module")
def service_ports(
    settings: ServiceSettings, queue_prefix: str, tmp_path_factory
) -> Iterator[dict[str, int]]:
    """Our three services as processes of this test, each on its own queue and a free port."""
    exchange = f"{queue_prefix}-exchange"
    queues = [f"{queue_prefix}-{name}" for name in SERVICES]
    started = []
    try:
        for name, queue in zip(SERVICES, queues, strict=True):
            env = service_env(settings, exchange, QUEUE_NAME=queue)
            started.append(start_service(name, tmp_path_factory.mktemp(name), env))
        yield {part.module: part.port for _, part in started}
    finally:
        for stack, _ in started:
            stack.down()
        asyncio.run(delete_service_queues(settings.rabbit_url, *queues, exchange=exchange))


@pytest.fixture(scope="module")
def prometheus(stack: Stack, service_ports: dict[str, int], tmp_path_factory) -> Iterator[str]:
    """A Prometheus of this test's own scraping those services and the stack's RabbitMQ."""
    rabbitmq = next(part for part in stack.parts if isinstance(part, RabbitMQ))
    part = Prometheus(
        port=free_port(),
        state=tmp_path_factory.mktemp("prometheus"),
        services=service_ports,
        rabbitmq_port=rabbitmq.prometheus_port,
    )
    ours = Stack([part], quiet=True)
    ours.up()
    yield part.where()
    ours.down()


@pytest.fixture
async def api(prometheus: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{prometheus}/api/v1", timeout=5) as client:
        yield client


async def get(api: httpx.AsyncClient, path: str, **params: str) -> Any:
    answer = (await api.get(path, params=params)).raise_for_status().json()
    assert answer["status"] == "success", answer
    return answer["data"]


async def test_every_service_and_rabbitmq_is_scraped_and_up(api: httpx.AsyncClient) -> None:
    health: dict[str, str] = {}

    async def all_up() -> bool:
        targets = (await get(api, "/targets", state="active"))["activeTargets"]
        health.clear()
        for target in targets:
            health[target["labels"]["job"]] = target["health"] + " " + target["lastError"]
        return set(health) == JOBS and all(state == "up " for state in health.values())

    await wait_for(all_up, timeout_s=6 * SCRAPE_S, what="every target up")
    assert set(health) == JOBS


async def test_the_recording_rules_and_every_alert_are_loaded_and_evaluate(
    api: httpx.AsyncClient,
) -> None:
    rules: list[dict[str, Any]] = []

    async def evaluated() -> bool:
        groups = (await get(api, "/rules"))["groups"]
        rules[:] = [rule for group in groups for rule in group["rules"]]
        return bool(rules) and all(rule["health"] == "ok" for rule in rules)

    await wait_for(evaluated, timeout_s=4 * SCRAPE_S, what="every rule evaluated without error")
    alerts = {rule["name"]: rule for rule in rules if rule["type"] == "alerting"}
    assert set(alerts) == ALERTS
    for alert in alerts.values():
        assert alert["annotations"]["summary"] and alert["annotations"]["description"]
    recorded = {rule["name"] for rule in rules if rule["type"] == "recording"}
    assert "job_queue_outcome:messages_consumed:rate1m" in recorded
    assert "end_status:order_life_seconds:p95_5m" in recorded


async def test_a_message_in_a_dead_letter_queue_makes_its_alert_pending(
    api: httpx.AsyncClient, settings: ServiceSettings, queue_prefix: str
) -> None:
    dead = f"{queue_prefix}-parked.dead"
    connection = await aio_pika.connect(settings.rabbit_url)
    channel = await connection.channel()
    await channel.declare_queue(dead, durable=True)
    await channel.default_exchange.publish(aio_pika.Message(b"{}"), routing_key=dead)
    query = f'ALERTS{{alertname="DeadLetterQueueNotEmpty",queue="{dead}"}}'

    async def pending() -> bool:
        return bool((await get(api, "/query", query=query))["result"])

    try:
        await wait_for(pending, timeout_s=8 * SCRAPE_S, what=f"an alert for {dead}")
        [alert] = (await get(api, "/query", query=query))["result"]
        assert alert["metric"]["alertstate"] == "pending"  # it fires after 1 min
    finally:
        await channel.queue_delete(dead)
        await connection.close()
