"""The whole benchmark of the running stack (`make bench`), one report.

In order: floor part A (database operation rates in a scratch database at each level of stored
orders), floor part B (what one order costs under the workload driver: CPU of every process,
database operations, messages, HTTP requests; the machine's limit), then the workload (whole
order lives at a fixed concurrency, one run per level, the preload bringing the orders
collection up to each level). Targets are checked and ONE report is written:
.state/bench/bench-<time>.md, .json, .png, and bench/results/latest.md, .png. Every load goes to
127.0.0.1 only and is bounded in count and time.

Parts on their own: `python -m bench floor --help`, `python -m bench workload --help`,
`python -m bench micro --help` (placement, broker and simulator micro benchmarks).
"""

import argparse
import sys
import time

from bench.common import say, stamp
from bench.suite.report import write
from bench.suite.run import run_all
from bench.workload.cli import STACK_ERRORS, levels

QUICK = {"levels": (1000, 10000), "cost_orders": 50, "orders": 100}


def parse(argv: list[str]) -> argparse.Namespace:
    """The command line; --quick fills what was not given."""
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--quick", action="store_true",
        help="a shorter try: levels 1000,10000, part B 50 orders, 100 orders per level; "
             "bench/results/latest.* left alone")  # fmt: skip
    add("--levels", type=levels, metavar="L1,L2,..", help="stored orders (1000,10000,100000)")
    add("--cost-orders", type=int, metavar="N", help="orders of floor part B (200)")
    add("--orders", type=int, help="workload orders per level (300)")
    add("--concurrency", type=int, default=50, help="orders in flight, workload and B (50)")
    add("--run-timeout", type=float, default=120.0, help="deadline of each run, s (120)")
    add("--no-latest", action="store_true", help="leave bench/results/latest.* alone")
    add("--check", action="store_true", help="exit 3 when a target is not met")
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else {"levels": (1000, 10000, 100000), "cost_orders": 200,
                                         "orders": 300}  # fmt: skip
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if min(args.cost_orders, args.orders, args.concurrency) < 1 or not args.levels:
        parser.error("--cost-orders, --orders, --concurrency >= 1 and at least one level")
    if args.levels[0] < 100 or args.levels[-1] > 1_000_000:
        parser.error("levels between 100 and 1000000")
    args.latest = not (args.quick or args.no_latest)
    return args


def main(argv: list[str]) -> int:
    """Run everything, write the report; 1: the stack does not answer, 3: a target failed."""
    args = parse(argv)
    began, when = time.perf_counter(), stamp()
    try:
        outcome = run_all(args)
    except STACK_ERRORS as error:
        print(f"error: {error!r}; is the stack running? (make up)", file=sys.stderr)
        return 1
    total_s = time.perf_counter() - began
    text, found, written = write(outcome, total_s, when, args.latest)
    print(text)
    say("\nwritten: " + ", ".join(written))
    say(f"total time: {total_s / 60:.1f} min ({total_s:.0f} s)")
    failed = [verdict.target for verdict in found if verdict.passed is False]
    say(f"targets: {len(found) - len(failed)} of {len(found)} met" if found else "no targets")
    return 3 if args.check and failed else 0
