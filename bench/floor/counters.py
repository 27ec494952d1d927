"""Counters read before and after a run: CPU, database, broker, HTTP requests."""

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
from pymongo import AsyncMongoClient

from bench.floor.docs import SCRATCH_DB
from bench.floor.http_counts import prism_requests, scrape
from bench.floor.procs import cpu_by_part, machine_cpu

MANAGEMENT_URL = "http://127.0.0.1:15672"
MANAGEMENT_AUTH = httpx.BasicAuth("guest", "guest")
TOP_SECTIONS = ("queries", "getmore", "insert", "update", "remove", "commands")


async def broker_counters(http: httpx.AsyncClient, exchange: str) -> dict[str, float]:
    """Message totals: the whole broker, the stack's exchange and the queues bound to it."""
    counters: dict[str, float] = {}
    overview = await management(http, "/api/overview")
    for kind in ("publish", "deliver_get", "ack", "redeliver"):
        counters[f"mq.broker {kind}"] = float(overview.get("message_stats", {}).get(kind, 0))
    path = f"/api/exchanges/%2F/{quote(exchange, safe='')}"
    stats = (await management(http, path)).get("message_stats", {})
    counters[f"mq.published to {exchange}"] = float(stats.get("publish_in", 0))
    counters[f"mq.routed copies from {exchange}"] = float(stats.get("publish_out", 0))
    bindings = await management(http, f"{path}/bindings/source")
    bound = {b["destination"] for b in bindings if b.get("destination_type") == "queue"}
    queues = await management(http, "/api/queues/%2F?columns=name,message_stats")
    for queue in queues:
        if queue["name"] in bound:
            for kind in ("deliver_get", "ack", "redeliver"):
                key = f"mq.stack queues {kind}"
                counters[key] = counters.get(key, 0.0) + queue.get("message_stats", {}).get(kind, 0)
    return counters


async def management(http: httpx.AsyncClient, path: str) -> Any:
    """One GET of RabbitMQ's management API."""
    answer = await http.get(f"{MANAGEMENT_URL}{path}", auth=MANAGEMENT_AUTH)
    answer.raise_for_status()
    return answer.json()


async def db_counters(client: AsyncMongoClient, db_name: str) -> dict[str, float]:
    """serverStatus opcounters (whole server), and `top` per collection of the stack's database."""
    counters = {}
    status = await client.admin.command("serverStatus")
    for kind, value in status.get("opcounters", {}).items():
        counters[f"server.{kind}"] = float(value)
    top = (await client.admin.command("top")).get("totals", {})
    for namespace, sections in top.items():
        if not isinstance(sections, dict):
            continue
        database, _, collection = namespace.partition(".")
        if database == db_name:
            for section in TOP_SECTIONS:
                counters[f"ns.{collection}.{section}"] = float(sections[section]["count"])
            counters[f"nsus.{collection}"] = float(sections["total"]["time"])
        elif database not in (SCRATCH_DB, "admin", "local", "config"):
            counters[f"other.{namespace}"] = float(sections["total"]["count"])
    return counters


@dataclass
class Probe:
    """What is read before and after a run."""

    client: AsyncMongoClient
    http: httpx.AsyncClient
    db_name: str
    exchange: str
    urls: Mapping[str, str]

    async def counters(self, prism_from: Mapping[str, int] | None = None) -> dict[str, float]:
        """Every counter, flat; the mocks' requests only when given their log sizes before."""
        counters = {**cpu_by_part(), **machine_cpu(), "clock": time.monotonic()}
        counters |= await db_counters(self.client, self.db_name)
        counters |= await broker_counters(self.http, self.exchange)
        counters |= await scrape(self.http, self.urls)
        if prism_from is not None:
            counters |= prism_requests(prism_from)
        return counters


def difference(after: dict[str, float], before: dict[str, float]) -> dict[str, float]:
    """after - before, key by key (a key missing before counts from zero)."""
    return {key: value - before.get(key, 0.0) for key, value in after.items()}


async def broker_settled(probe: Probe, settle_s: float) -> None:
    """Wait until RabbitMQ's sampled totals stop moving (they are emitted every ~5 s)."""
    deadline = time.monotonic() + settle_s
    last = await broker_counters(probe.http, probe.exchange)
    while time.monotonic() < deadline:
        await asyncio.sleep(5.5)
        current = await broker_counters(probe.http, probe.exchange)
        if current == last:
            return
        last = current
