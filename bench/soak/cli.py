"""`python -m bench soak`: the whole system under steady load for 10 minutes on a stack of its
own (3 RabbitMQ nodes with quorum queues, its own database server and Redis, the three
services), with a fault every 2 minutes: the RabbitMQ node the services connect to killed
(SIGKILL), the database server stopped, Redis stopped, another node killed, each for 15 s and
then started again. Reports the orders, the faults, and the orders lost or wrongly ended
(expected: 0), dead letters, 5xx answers and events left unpublished.

Needs the Prism mocks of `make up` (the outside companies). Loopback only, bounded in time.
Writes .state/bench/soak-<time>.md and bench/results/soak.md.
"""

import argparse
import asyncio
import os
import shutil
import sys

from bench.common import say, stamp
from bench.soak import stack as soak_stack
from bench.soak.report import markdown, wrong
from bench.soak.run import soak
from devstack.parts import MOCKS, ROOT, STATE, http_ok
from servicekit.settings import ConfigError, load_settings
from servicekit.webhooks import CardWebhookSettings


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench soak",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--minutes", type=float, default=10.0, help="length of the load (10)")
    add("--every", type=float, default=120.0, help="seconds between faults (120)")
    add("--outage", type=float, default=15.0, help="seconds each server is down (15)")
    add("--concurrency", type=int, default=24, help="orders in flight (24)")
    add("--no-latest", action="store_true", help="leave bench/results/soak.md alone")
    args = parser.parse_args(argv)
    if not (0 < args.minutes <= 60 and args.every >= 10 and 0 < args.outage < args.every
            and 1 <= args.concurrency <= 200):  # fmt: skip
        parser.error("--minutes 0..60, --every >= 10, --outage below --every, --concurrency 1..200")
    return args


def main(argv: list[str]) -> int:
    """0: nothing lost, nothing dead-lettered; 1: the mocks do not answer; 3: the soak failed."""
    args = parse(argv)
    try:
        settings = load_settings(CardWebhookSettings, service_name="soak")
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    mocks = [settings.service_urls[name] for name in MOCKS if name in settings.service_urls]
    if not mocks or not all(http_ok(f"{url}/health") for url in mocks):
        print("error: the Prism mocks do not answer; start the stack first (make up)",
              file=sys.stderr)  # fmt: skip
        return 1
    when, state = stamp(), STATE / "soak"
    shutil.rmtree(state, ignore_errors=True)  # a fresh database and cluster every run
    stack = soak_stack.build(state)
    say(f"soak: starting its own stack under {state} ...")
    try:
        soak_stack.start(stack, settings)
        say(f"soak: {args.minutes:g} min at concurrency {args.concurrency}, a fault every "
            f"{args.every:g} s")  # fmt: skip
        env = {**os.environ, **soak_stack.service_env(stack, settings), "PYTHONPATH": str(ROOT),
               "COLUMNS": "240"}  # fmt: skip
        result = asyncio.run(soak(stack, args.minutes, args.every, args.outage,
                                  args.concurrency, env))  # fmt: skip
    finally:
        soak_stack.stop(stack)
    text = markdown(result, when)
    print(text)
    out = STATE / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"soak-{when}.md").write_text(text)
    if not args.no_latest:
        (ROOT / "bench" / "results" / "soak.md").write_text(text)
    failed = result.returncode != 0 or wrong(result) or sum(result.dead_letters.values())
    return 3 if failed else 0
