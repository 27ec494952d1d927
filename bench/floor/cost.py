"""Part B: counters around whole order lives of the real workload, net of the idle stack."""

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
from pymongo import AsyncMongoClient

from bench.common import say
from bench.floor.counters import Probe, broker_settled, difference
from bench.floor.docs import Doc, with_url_option
from bench.floor.http_counts import placed_orders, prism_log_sizes
from bench.floor.procs import pid_roots, stack_pids
from bench.floor.profile import profiling
from bench.floor.rates import server_identity
from devstack.parts import ROOT
from servicekit.settings import ServiceSettings

DRIVER = "cpu.driver (workload, during its run)"


async def drive(orders: int, concurrency: int, run_timeout_s: float) -> tuple[Doc, str]:
    """`python -m bench workload` in a child process, one run; that run's JSON and the output."""
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as out:
        command = [sys.executable, "-m", "bench", "workload", "--runs", "1", "--no-chart",
                   "--orders", str(orders), "--concurrency", str(concurrency),
                   "--run-timeout", str(run_timeout_s), "--out", out]  # fmt: skip
        process = await asyncio.create_subprocess_exec(
            *command, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        try:
            async with asyncio.timeout(run_timeout_s + 120):
                output = (await process.communicate())[0].decode("utf-8", "replace")
        except TimeoutError:
            process.kill()
            await process.wait()
            raise
        ours = written_run(Path(out))
    if ours is None:
        raise SystemExit(f"error: the workload wrote no results:\n{output[-1500:]}")
    return ours, output


def written_run(out: Path) -> Doc | None:
    """The first run of the workload's JSON in `out` (None when it wrote none)."""
    found = sorted(out.glob("workload-*.json"))
    return json.loads(found[-1].read_text())["runs"][0] if found else None


async def idle_window(probe: Probe, seconds: float, attempts: int = 3) -> dict[str, float]:
    """Counters of the idle stack over `seconds`, again when a part restarted meanwhile."""
    for _ in range(attempts):
        roots, logs = stack_pids(), prism_log_sizes()
        before = await probe.counters()
        await asyncio.sleep(seconds)
        idle = difference(await probe.counters(logs), before)
        if stack_pids() == roots:
            return idle
        say("a part of the stack restarted during the idle window; measuring it again")
        await asyncio.sleep(10)
    raise SystemExit("error: the stack keeps restarting; try again later")


async def part_b(settings: ServiceSettings, args: argparse.Namespace) -> Doc:
    """Counters around N whole order lives, raw and net of what the idle stack does meanwhile."""
    url = with_url_option(settings.mongo_url, "retryWrites", "false")
    client: AsyncMongoClient = AsyncMongoClient(url, timeoutMS=30_000)
    async with httpx.AsyncClient(timeout=10, trust_env=False) as http:
        urls = settings.service_urls
        probe = Probe(client, http, settings.mongo_db, settings.exchange_name, urls)
        try:
            server = await server_identity(client)
            idle = await idle_window(probe, args.idle_s)
            logs, roots = prism_log_sizes(), pid_roots()
            say(f"part B: {args.orders} orders at concurrency {args.order_concurrency}")
            async with profiling(client, settings.mongo_db, args.profile) as profile:
                before = await probe.counters()
                ours, output = await drive(args.orders, args.order_concurrency, args.run_timeout)
                run_s = time.monotonic() - before["clock"]
                await broker_settled(probe, args.settle_s)
                run = difference(await probe.counters(logs), before)
            after = pid_roots()
            restarted = [name for name in roots | after if roots.get(name) != after.get(name)]
        finally:
            await client.close()
    run[DRIVER] = ours["cpu_s"]
    net = {
        key: value - idle.get(key, 0.0) / idle["clock"] * run["clock"] for key, value in run.items()
    }
    completed, placed = ours["completed"], int(placed_orders(run))
    per = max(completed, placed, 1)
    return {
        "server": server,
        "orders": args.orders,
        "concurrency": args.order_concurrency,
        "completed": completed,
        "failures": ours["failures"],
        "placed_in_window": placed,
        "per": per,
        "run_s": round(run_s, 1),
        "driver_run_s": ours["wall_s"],
        "driver_orders_per_s": ours["orders_per_s"],
        "warnings": warnings(ours, placed, run, restarted, idle),
        "profiled": {
            shape: {"per_order": count / per, "plan": profile.plans.get(shape)}
            for shape, count in profile.counts.most_common()
        },
        "idle": idle,
        "run": run,
        "net": net,
        "driver_tail": output[-1500:],
    }


def warnings(
    ours: Doc, placed: int, run: dict[str, float], restarted: list[str], idle: Doc
) -> list[str]:
    """What makes the per-order numbers of this run unreliable."""
    found = []
    if ours["failures"]:
        reasons = ", ".join(f"{count} x {reason}" for reason, count in ours["failures"].items())
        missing = ours["orders"] - ours["completed"]
        found.append(f"{missing} of {ours['orders']} orders did not complete ({reasons})")
    if placed > ours["orders"]:
        found.append(
            f"{placed} orders were placed in the window, {ours['orders']} by this driver: numbers "
            f"are divided by {placed}, and the other orders' lives may differ"
        )
    if restarted:
        found.append(
            f"restarted during the run (CPU and counters not comparable): {', '.join(restarted)}"
        )
    others = {k.removeprefix("other."): v for k, v in run.items() if k.startswith("other.") and v}
    if others:
        busiest = ", ".join(f"{ns} {v:.0f}" for ns, v in Counter(others).most_common(4))
        found.append(
            f"other databases were used meanwhile ({sum(others.values()):.0f} ops: {busiest}); "
            "the server, broker, mocks and machine were shared, so their CPU and the "
            "whole-server and whole-broker counts include that work"
        )
    requests = sum(v for k, v in idle.items() if k.startswith("http."))
    if requests:
        found.append(f"{requests:.0f} HTTP requests (health checks left out) in the idle window")
    return found
