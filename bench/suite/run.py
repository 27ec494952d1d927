"""Run the whole benchmark in order: floor part A, floor part B, the workload per level."""

import argparse
import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import uvloop

from bench.common import say
from bench.floor.cli import parser as floor_parser
from bench.floor.cost import part_b
from bench.floor.docs import Doc
from bench.floor.limits import limits
from bench.floor.rates import part_a
from bench.workload.driver import run_workload
from bench.workload.model import RunRecord, WorkloadConfig
from servicekit.settings import ServiceSettings, load_settings
from servicekit.webhooks import CardWebhookSettings


@dataclass
class Outcome:
    """What the whole benchmark measured, and how long each stage took (s)."""

    floor: Doc
    config: WorkloadConfig
    records: list[RunRecord] = field(default_factory=list)
    stages: dict[str, float] = field(default_factory=dict)


def floor_args(args: argparse.Namespace) -> argparse.Namespace:
    """The floor's options for this benchmark (its defaults, the levels and part B's size)."""
    return floor_parser().parse_args(
        ["--levels", ",".join(str(level) for level in args.levels),
         "--orders", str(args.cost_orders), "--order-concurrency", str(args.concurrency),
         "--run-timeout", str(args.run_timeout)]
    )  # fmt: skip


def workload_config(args: argparse.Namespace) -> WorkloadConfig:
    """One workload run per stored-order level."""
    return WorkloadConfig(
        orders=args.orders,
        concurrency=args.concurrency,
        runs=1,
        stored=tuple(args.levels),
        run_timeout_s=args.run_timeout,
    )


async def floor(
    args: argparse.Namespace, settings: ServiceSettings, stages: dict[str, float]
) -> Doc:
    """Part A (scratch database, every level), then part B (the cost of one order)."""
    result: Doc = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "mongo_url": settings.mongo_url,
        "args": dict(vars(args)),
    }
    began = time.perf_counter()
    say(f"[1/3] floor part A: database rates at {', '.join(map(str, args.levels))} orders")
    result["part_a"] = await part_a(settings, args)
    stages["floor part A"] = time.perf_counter() - began
    began = time.perf_counter()
    say(f"[2/3] floor part B: the cost of one order ({args.orders} orders, workload driver)")
    result["part_b"] = await part_b(settings, args)
    result["limits"] = limits(result["part_a"], result["part_b"], settings)
    stages["floor part B"] = time.perf_counter() - began
    return result


def run_all(args: argparse.Namespace) -> Outcome:
    """Every stage, one after the other; the workload's runs on uvloop, as its own command."""
    settings = load_settings(CardWebhookSettings, service_name="bench")  # the bench signs callbacks
    stages: dict[str, float] = {}
    result = asyncio.run(floor(floor_args(args), settings, stages))
    outcome = Outcome(result, workload_config(args), stages=stages)
    began = time.perf_counter()
    say(
        f"[3/3] workload: {args.orders} orders at concurrency {args.concurrency} per level "
        f"({', '.join(map(str, args.levels))} stored)"
    )
    outcome.records = uvloop.run(run_workload(outcome.config, settings))
    stages["workload"] = time.perf_counter() - began
    return outcome
