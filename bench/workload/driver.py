"""Drive whole order lives: workers, deadlines, and the runs of a workload."""

import asyncio
import random
import sys
import time
from collections.abc import Mapping

import aiohttp
import ujson

from bench.workload.client import Client, Life
from bench.workload.model import (
    STEPS,
    OrderFailed,
    RunRecord,
    StackUnavailable,
    WorkloadConfig,
)
from bench.workload.preload import preload, stored_orders
from servicekit.broker import BrokerConnection, EventPublisher
from servicekit.mongo import MongoEngine
from servicekit.settings import load_settings
from servicekit.webhooks import CardWebhookSettings, WebhookSigner
from simulator.parties import API_KEY_HEADER


async def order_life(client: Client, life: Life) -> None:
    """One order from POST to delivered, every outside party played."""
    await client.place(life)
    await client.timed("payment pending", client.wait_payment(life))
    await client.timed("deliveryScheduled", client.paid(life))
    for routing_key, wait_for in STEPS:
        await client.timed(wait_for, client.advance(life, routing_key, wait_for))


async def one_order(client: Client, timeout_s: float) -> None:
    """Run one order life within its deadline and record how it ended."""
    record, life = client.record, Life()
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout_s):
            await order_life(client, life)
    except TimeoutError:
        record.failures[f"timeout: {life.stage}"] += 1
    except OrderFailed as error:
        record.failures[str(error)] += 1
    except Exception as error:
        record.failures[f"{life.stage}: {type(error).__name__}"] += 1
    else:
        record.completed.append((record.now(), time.perf_counter() - started))


async def drive(client: Client, config: WorkloadConfig) -> None:
    """`concurrency` workers take orders until all are done or the run deadline passes."""
    record = client.record
    todo = iter(range(record.orders))

    async def worker() -> None:
        """Order lives one after the other until none are left."""
        for _ in todo:
            await one_order(client, config.order_timeout_s)

    cpu_began = time.process_time()
    tasks = [asyncio.create_task(worker()) for _ in range(record.concurrency)]
    progress = asyncio.create_task(show_progress(record))
    _, late = await asyncio.wait(tasks, timeout=config.run_timeout_s)
    for task in [*late, progress]:
        task.cancel()
    await asyncio.gather(*late, progress, return_exceptions=True)
    record.wall_s, record.cpu_s = record.now(), time.process_time() - cpu_began
    unfinished = record.orders - len(record.completed) - sum(record.failures.values())
    if unfinished:
        record.failures["run deadline: not finished"] += unfinished


async def show_progress(record: RunRecord, every_s: float = 10.0) -> None:
    """A line on stderr every `every_s` while the run goes on."""
    while True:
        await asyncio.sleep(every_s)
        done, failed = len(record.completed), sum(record.failures.values())
        print(f"  {record.now():5.0f} s: {done} done, {failed} failed", file=sys.stderr)


async def check_stack(session: aiohttp.ClientSession, urls: Mapping[str, str]) -> None:
    """Fail fast, with a clear message, when a service does not answer."""
    for name in ("OrderService", "PaymentService"):
        async with session.get(f"{urls[name]}/health/live") as answer:
            if answer.status != 200:
                raise StackUnavailable(f"{name} /health/live answered {answer.status}")


def plan(config: WorkloadConfig) -> list[tuple[str, int | None]]:
    """The runs: (label, stored orders to reach first, or None to leave the database as is)."""
    if config.stored:
        return [(f"stored {level}", level) for level in config.stored]
    return [(f"run {number}", None) for number in range(1, config.runs + 1)]


async def run_workload(
    config: WorkloadConfig, settings: CardWebhookSettings | None = None
) -> list[RunRecord]:
    """Preload, then every planned run on one HTTP session and one broker channel."""
    settings = settings or load_settings(CardWebhookSettings, service_name="bench")
    signer = WebhookSigner(settings.card_webhook_secret.get_secret_value())
    headers = {API_KEY_HEADER: settings.service_api_key.get_secret_value()}
    connector = aiohttp.TCPConnector(limit=2 * config.concurrency, keepalive_timeout=30)
    timeout = aiohttp.ClientTimeout(total=30, connect=5)
    broker = BrokerConnection(settings.rabbit_url, settings.exchange_name, "bench-workload")
    mongo = MongoEngine(settings.mongo_url, settings.mongo_db)
    records: list[RunRecord] = []
    async with aiohttp.ClientSession(
        headers=headers, connector=connector, timeout=timeout, json_serialize=ujson.dumps
    ) as session:
        await check_stack(session, settings.service_urls)
        await broker.connect()
        publisher = EventPublisher(broker)
        try:
            await preload(mongo, config.preload, config.seed)
            for label, level in plan(config):
                if level is not None:
                    missing = level - await stored_orders(mongo)
                    await preload(mongo, missing, hash((config.seed, level)))
                stored = await stored_orders(mongo)
                record = RunRecord(label, config.orders, config.concurrency, stored)
                rng = random.Random(f"{config.seed}-{label}")
                client = Client(session, settings.service_urls, publisher, signer, record, rng)
                print(f"{label}: {config.orders} orders, {stored} stored", file=sys.stderr)
                record.began = time.perf_counter()
                await drive(client, config)
                records.append(record)
        finally:
            await broker.close()
            await mongo.close()
    return records
