"""What the soak reads back once the load is over: dead letters, 500 answers, the outbox
backlog, the orders stored, and how many were placed in each minute."""

import time
import urllib.request
from collections import Counter

from bench.soak.stack import DATABASE, SoakStack
from servicekit.mongo import MongoEngine


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def dead_letters(stack: SoakStack) -> dict[str, int]:
    """Messages in every `<queue>.dead`, as the first node's management API counts them."""
    queues = stack.nodes[0].management("queues", timeout_s=10)
    return {q["name"]: q.get("messages", 0) for q in queues if q["name"].endswith(".dead")}


def _series(stack: SoakStack, name: str) -> list[tuple[str, float]]:
    lines = []
    for service in stack.services:
        for line in _get(f"{stack.url(service)}/metrics").splitlines():
            if line.startswith(name) and not line.startswith("#"):
                labels, value = line.rsplit(" ", 1)
                lines.append((f"{service} {labels}", float(value)))
    return lines


def server_errors(stack: SoakStack) -> int:
    """Requests any service answered with a 5xx other than 503 (an outage says 503)."""
    return int(sum(
        value for labels, value in _series(stack, "http_requests_total")
        if 'status="5' in labels and 'status="503"' not in labels
    ))  # fmt: skip


def outbox_waiting(stack: SoakStack, timeout_s: float = 90) -> int:
    """Events stored and not yet published, once the relays had `timeout_s` to catch up."""
    deadline = time.monotonic() + timeout_s
    while True:
        waiting = int(sum(value for _, value in _series(stack, "outbox_events_waiting")))
        if waiting == 0 or time.monotonic() > deadline:
            return waiting
        time.sleep(1)  # the gauge is refreshed every 5 s: poll it, bounded


async def orders_per_minute(stack: SoakStack) -> tuple[int, list[int]]:
    """How many orders are stored, and how many were placed in each minute of the run."""
    engine = MongoEngine(stack.mongo_url, DATABASE)
    try:
        created = [doc["created_at"] async for doc in
                   engine.db["orders"].find({}, {"created_at": 1})]  # fmt: skip
    finally:
        await engine.close()
    if not created:
        return 0, []
    first = min(created)
    minutes = Counter(int((at - first).total_seconds() // 60) for at in created)
    return len(created), [minutes[m] for m in range(max(minutes) + 1)]
