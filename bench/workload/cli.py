"""Outside-client workload: whole order lives at a fixed concurrency, on a growing database.

Each order: POST /v1/orders; play the card company (poll the payment, post the paid callback);
wait for deliveryScheduled; publish the six transport/kitchen reports one after the other,
reading the order every 100 ms until it reached each step. Loads go to 127.0.0.1 only and are
bounded in count and time. Results: a Markdown table, a JSON file of the raw series and a PNG
chart in .state/bench/.

    python -m bench workload --orders 300 --concurrency 50 --runs 3
    python -m bench workload --stored 1000,10000,100000
"""

import argparse
import sys
from pathlib import Path

import aiohttp
import uvloop
from pymongo.errors import PyMongoError

from bench.common import OUT_DIR
from bench.workload.driver import run_workload
from bench.workload.model import StackUnavailable, WorkloadConfig
from bench.workload.preload import remove_preloaded
from bench.workload.report import write_results
from servicekit.broker import BrokerUnavailable
from servicekit.settings import ServiceSettings, load_settings

STACK_ERRORS = (aiohttp.ClientError, OSError, PyMongoError, BrokerUnavailable, StackUnavailable)


def levels(text: str) -> tuple[int, ...]:
    """`1000,10000,100000` -> ascending stored-order levels."""
    return tuple(sorted(int(part) for part in text.split(",") if part.strip()))


def parse(argv: list[str] | None) -> tuple[WorkloadConfig, argparse.Namespace]:
    """The command line as a WorkloadConfig, and the output options."""
    parser = argparse.ArgumentParser(
        prog="python -m bench workload",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--orders", type=int, default=300, help="orders per run (300)")
    add("--concurrency", type=int, default=50, help="orders in flight (50)")
    add("--runs", type=int, default=3, help="runs in a row, each a table row (3)")
    add("--preload", type=int, default=0, metavar="K", help="insert K delivered orders first")
    add("--stored", type=levels, default=(), metavar="L1,L2,..", help="a run per level, no --runs")
    add("--order-timeout", type=float, default=60.0, help="deadline of one order, s (60)")
    add("--run-timeout", type=float, default=900.0, help="deadline of one run, s (900)")
    add("--seed", type=int, default=1, help="random seed of items and preloaded orders (1)")
    add("--remove-preloaded", action="store_true", help="delete the preloaded orders, run none")
    add("--out", type=Path, default=OUT_DIR, help="folder of the result files (.state/bench)")
    add("--no-chart", action="store_true", help="write no PNG (no matplotlib)")
    args = parser.parse_args(argv)
    if min(args.orders, args.concurrency, args.runs) < 1 or args.preload < 0:
        parser.error("--orders, --concurrency and --runs must be >= 1, --preload >= 0")
    config = WorkloadConfig(
        orders=args.orders,
        concurrency=args.concurrency,
        runs=args.runs,
        preload=args.preload,
        stored=args.stored,
        order_timeout_s=args.order_timeout,
        run_timeout_s=args.run_timeout,
        seed=args.seed,
        remove_preloaded=args.remove_preloaded,
    )
    return config, args


def main(argv: list[str] | None = None) -> int:
    """Run the workload and write its results; 1: the stack does not answer, 2: orders failed."""
    config, args = parse(argv)
    try:
        if config.remove_preloaded:
            settings = load_settings(ServiceSettings, service_name="bench")
            print(f"removed {uvloop.run(remove_preloaded(settings))} preloaded orders")
            return 0
        records = uvloop.run(run_workload(config))
    except STACK_ERRORS as error:
        print(f"error: {error!r}; is the stack running? (make up)", file=sys.stderr)
        return 1
    write_results(records, config, args.out, draw=not args.no_chart)
    return 0 if all(not record.failures for record in records) else 2


if __name__ == "__main__":
    sys.exit(main())
