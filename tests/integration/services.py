"""Run our services as real processes for a test, and watch what they publish."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import ujson
from aio_pika.abc import AbstractQueue

from devstack.parts import ServiceProcess
from devstack.stack import Stack
from servicekit.settings import ServiceSettings
from servicekit.webhooks import WebhookSigner
from tests.conftest import TEST_API_KEY, TEST_WEBHOOK_SECRET
from tests.integration.conftest import free_port

TEST_REDIS_URL = "redis://127.0.0.1:6379/15"  # tests keep their cache keys out of the dev db 0


def service_env(settings: ServiceSettings, exchange: str, **extra: str) -> dict[str, str]:
    return {
        "SERVICE_API_KEY": TEST_API_KEY,
        "CARD_WEBHOOK_SECRET": TEST_WEBHOOK_SECRET,
        "ENVIRONMENT": "test",
        "MONGO_URL": settings.mongo_url,
        "MONGO_DB": settings.mongo_db,
        "REDIS_URL": TEST_REDIS_URL,
        "RABBIT_URL": settings.rabbit_url,
        "EXCHANGE_NAME": exchange,
        "RETRY_DELAYS_MS": "[100,300]",
        "LOG_LEVEL": "DEBUG",
        **extra,
    }


def start_service(module: str, state: Path, env: dict[str, str]) -> tuple[Stack, ServiceProcess]:
    port = free_port()
    part = ServiceProcess(
        name=f"{module}-{port}",
        port=port,
        state=state,
        module=module,
        extra_env={"PORT": str(port), "PUBLIC_URL": f"http://127.0.0.1:{port}", **env},
    )
    stack = Stack([part], quiet=True)
    stack.up()
    return stack, part


def api(part: ServiceProcess, key: str | None = TEST_API_KEY) -> httpx.AsyncClient:
    headers = {"X-API-Key": key} if key else {}
    return httpx.AsyncClient(base_url=f"http://127.0.0.1:{part.port}", headers=headers, timeout=15)


CARD_COMPANY = WebhookSigner(TEST_WEBHOOK_SECRET)


async def post_callback(
    client: httpx.AsyncClient, payload: dict[str, Any], message_id: str | None = None
) -> httpx.Response:
    """POST /v1/payments/callback signed as the card company signs it (Standard Webhooks)."""
    body, headers = CARD_COMPANY.signed_json(payload, message_id)
    return await client.post("/v1/payments/callback", content=body, headers=headers)


class EventWatcher:
    """A queue of the test's own, bound to routing keys on the service's exchange."""

    def __init__(self, queue: AbstractQueue) -> None:
        self._queue = queue
        self.received: list[tuple[str, dict[str, Any]]] = []

    async def drain(self) -> list[tuple[str, dict[str, Any]]]:
        while (message := await self._queue.get(fail=False, no_ack=True)) is not None:
            self.received.append((message.routing_key or "", ujson.loads(message.body)))
        return self.received

    async def wait_for(
        self, count: int, timeout_s: float = 15.0
    ) -> list[tuple[str, dict[str, Any]]]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while len(await self.drain()) < count:
            if loop.time() > deadline:
                raise AssertionError(f"expected {count} events, got {self.received}")
            await asyncio.sleep(0.05)
        return self.received

    def for_order(self, order_id: str) -> list[str]:
        return [key for key, body in self.received if body["metadata"]["order_id"] == order_id]


@asynccontextmanager
async def watch_events(rabbit_url: str, exchange: str, *keys: str) -> AsyncIterator[EventWatcher]:
    connection = await aio_pika.connect_robust(rabbit_url)
    channel = await connection.channel()
    ex = await channel.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC, durable=True)
    queue = await channel.declare_queue(f"watch-{uuid.uuid4().hex[:8]}", durable=True)
    for key in keys:
        await queue.bind(ex, key)
    try:
        yield EventWatcher(queue)
    finally:
        await queue.delete(if_unused=False, if_empty=False)
        await connection.close()


async def delete_service_queues(
    rabbit_url: str,
    *queues: str,
    exchange: str | None = None,
    retry_delays_ms: tuple[int, ...] = (100, 300),
) -> None:
    """Remove a test's service queues with their retry and dead-letter queues (and exchange)."""
    connection = await aio_pika.connect(rabbit_url)
    channel = await connection.channel()
    for queue in queues:
        retries = [f"{queue}.retry.{delay}" for delay in retry_delays_ms]
        for name in (queue, f"{queue}.dead", *retries):
            await channel.queue_delete(name, if_unused=False, if_empty=False)
    if exchange:
        await channel.exchange_delete(exchange)
    await connection.close()


async def dead_letter_counts(rabbit_url: str, *queues: str) -> dict[str, int]:
    """Messages waiting in each `<queue>.dead` (the queues must exist)."""
    connection = await aio_pika.connect(rabbit_url)
    try:
        channel = await connection.channel()
        counts = {}
        for queue in queues:
            declared = await channel.declare_queue(f"{queue}.dead", passive=True)
            counts[queue] = declared.declaration_result.message_count
        return counts
    finally:
        await connection.close()
