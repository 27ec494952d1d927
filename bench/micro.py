"""Micro benchmarks of the running stack: order placement, broker throughput, simulated lives.

Every load goes to 127.0.0.1 only and is bounded in count. Results are printed as a Markdown
table and saved under .state/bench/results-<time>.md. Run it with `python -m bench micro`.
"""

import argparse
import asyncio
import subprocess
import sys
import time
import uuid

import httpx

from bench.common import OUT_DIR, stamp
from servicekit.broker import (
    BrokerConnection,
    EventPublisher,
    InboundMessage,
    QueueConsumer,
    ServiceQueue,
)
from servicekit.contracts import status_body
from servicekit.settings import ServiceSettings, load_settings
from simulator.report import percentile

Row = tuple[str, str, str]


def latency_rows(name: str, count: int, elapsed_s: float, latencies_ms: list[float]) -> list[Row]:
    """Rate and latency percentiles of one placement run as table rows."""
    return [
        (name, "rate", f"{count / elapsed_s:.0f}/s ({count} in {elapsed_s:.1f} s)"),
        (name, "p50 / p95 / p99", " / ".join(
            f"{percentile(latencies_ms, share):.0f} ms" for share in (0.5, 0.95, 0.99)
        )),
    ]  # fmt: skip


async def placement(settings: ServiceSettings, count: int, concurrency: int) -> list[Row]:
    """POST /v1/orders as fast as `concurrency` clients can."""
    url = settings.service_urls["OrderService"]
    key = settings.service_api_key.get_secret_value()
    latencies: list[float] = []
    failures = 0
    async with httpx.AsyncClient(base_url=url, headers={"X-API-Key": key}, timeout=30) as client:
        await client.get("/health/live")
        todo = iter(range(count))

        async def worker() -> None:
            """Place orders one after the other until none are left."""
            nonlocal failures
            for _ in todo:
                body = {
                    "customer_id": str(uuid.uuid4()),
                    "items": [{"product": "Lasagna", "quantity": 1}],
                }
                started = time.perf_counter()
                answer = await client.post("/v1/orders", json=body)
                latencies.append((time.perf_counter() - started) * 1000)
                failures += answer.status_code != 202

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    name = f"place order, concurrency {concurrency}"
    rows = latency_rows(name, count, elapsed, latencies)
    rows.append((name, "failed", str(failures)))
    return rows


async def broker(settings: ServiceSettings, count: int) -> list[Row]:
    """Publish with confirms (one at a time, then 100 in flight) and consume with acks."""
    exchange = f"bench-{uuid.uuid4().hex[:6]}"
    connection = BrokerConnection(settings.rabbit_url, exchange, "bench")
    await connection.connect()
    publisher = EventPublisher(connection)
    queue = ServiceQueue(f"bench-{uuid.uuid4().hex[:6]}", ["bench.#"], retry_delays_ms=[1000])
    received = 0
    done = asyncio.Event()

    async def handle(message: InboundMessage) -> None:
        """Count a message; the last one ends the wait."""
        nonlocal received
        received += 1
        if received == 2 * count:
            done.set()

    consumer = QueueConsumer(connection, publisher, queue, handle, prefetch_count=64)
    await consumer.start()
    body = status_body("bench", "b", "o", "c")
    rows: list[Row] = []
    began = time.perf_counter()
    for _ in range(count):
        await publisher.publish("bench.one", body)
    rows.append(("publish, confirm each", "rate", f"{count / (time.perf_counter() - began):.0f}/s"))
    began = time.perf_counter()
    gate = asyncio.Semaphore(100)

    async def one() -> None:
        """One publish, at most 100 of them in flight."""
        async with gate:
            await publisher.publish("bench.many", body)

    await asyncio.gather(*(one() for _ in range(count)))
    rows.append(
        ("publish, 100 in flight", "rate", f"{count / (time.perf_counter() - began):.0f}/s")
    )
    await asyncio.wait_for(done.wait(), 120)
    consumed_s = time.perf_counter() - began
    rows.append(
        ("consume + ack (prefetch 64)", "rate", f"{2 * count / consumed_s:.0f}/s (lower bound)")
    )
    await consumer.stop()
    channel = await connection.connection.channel()
    for name in (queue.name, queue.dead_letter_queue, queue.retry_queue(0)):
        await channel.queue_delete(name, if_unused=False, if_empty=False)
    await channel.exchange_delete(exchange)
    await connection.close()
    return rows


def lifecycle(orders: int, concurrency: int) -> list[Row]:
    """The simulator's whole order lives (payment, delivery, kitchen, cancellations)."""
    result = subprocess.run(
        [sys.executable, "-m", "simulator", "--orders", str(orders), "--concurrency",
         str(concurrency), "--step-delay-ms", "0"],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    rows: list[Row] = []
    for line in result.stdout.splitlines():
        cells = [cell.strip() for cell in line.strip("│┃ ").split("│")]
        if len(cells) == 3 and cells[0] in (
            "orders per second", "whole life p50", "whole life p95", "placement p50"
        ):  # fmt: skip
            rows.append(
                (f"simulator, {orders} orders, concurrency {concurrency}", cells[0], cells[2])
            )
    rows.append(("simulator", "all orders as expected", "yes" if result.returncode == 0 else "NO"))
    return rows


async def run(args: argparse.Namespace) -> list[Row]:
    """Placement at concurrency 1 and `args.concurrency`, then the broker."""
    settings = load_settings(ServiceSettings, service_name="bench")
    rows: list[Row] = []
    for concurrency in (1, args.concurrency):
        rows += await placement(settings, args.orders, concurrency)
    rows += await broker(settings, args.messages)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run the micro benchmarks, print the table and keep it in .state/bench/."""
    parser = argparse.ArgumentParser(prog="python -m bench micro", description=__doc__)
    parser.add_argument("--orders", type=int, default=200, help="orders per placement run (200)")
    parser.add_argument("--concurrency", type=int, default=20, help="placement clients (20)")
    parser.add_argument("--messages", type=int, default=2000, help="broker messages (2000)")
    parser.add_argument("--lives", type=int, default=100, help="simulated order lives (100)")
    args = parser.parse_args(argv)
    try:
        rows = asyncio.run(run(args))
    except httpx.TransportError as error:
        print(
            f"error: the stack is not reachable ({error!r}); start it with `make up`",
            file=sys.stderr,
        )
        return 1
    rows += lifecycle(args.lives, args.concurrency)
    table = ["| benchmark | measure | result |", "|---|---|---|"]
    table += [f"| {name} | {measure} | {value} |" for name, measure, value in rows]
    text = "\n".join(table)
    print(text)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / f"results-{stamp()}.md").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
