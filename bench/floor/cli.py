"""Know the limit: raw rates of the operation shapes the services use, and what one order costs.

Part A measures every database operation shape of the design (and three Redis commands) on the
configured MongoDB, in a scratch database that is dropped at the end, at growing collection
sizes, with and without retryable writes, and asks the server whether each query uses an index.
Part B drives whole order lives through the running stack with the workload driver
(`python -m bench workload`, a child process) and counts, per completed order, database
operations (`top`, serverStatus), broker messages (management API), HTTP requests (the
services' GET /metrics, the mocks' logs) and CPU seconds of every process; from both it states
the machine's limit in orders per second. Loads go to 127.0.0.1 only, bounded in count and
time. Run it with `python -m bench floor`.
"""

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime

from bench.common import OUT_DIR, say, stamp
from bench.floor.cost import part_b
from bench.floor.docs import Doc
from bench.floor.limits import limits
from bench.floor.rates import part_a
from bench.floor.report import markdown
from servicekit.settings import ServiceSettings, load_settings


def latest_part_a(server: str) -> Doc | None:
    """Part A of the newest earlier run on the same server, for the limit when A is skipped."""
    paths = [*OUT_DIR.glob("floor-*.json"), *OUT_DIR.glob("bench-*.json")]
    for path in sorted(paths, key=lambda path: path.stem.partition("-")[2], reverse=True):
        found = json.loads(path.read_text())
        earlier = found.get("part_a") or found.get("floor", {}).get("part_a")
        if earlier and earlier.get("server") == server and earlier.get("levels"):
            return earlier
    return None


async def run(args: argparse.Namespace) -> Doc:
    """Both parts, as asked."""
    settings = load_settings(ServiceSettings, service_name="bench")
    result: Doc = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "mongo_url": settings.mongo_url,
        "args": dict(vars(args)),
    }
    if args.part in ("a", "both"):
        result["part_a"] = await part_a(settings, args)
    if args.part in ("b", "both"):
        result["part_b"] = await part_b(settings, args)
        rates = result.get("part_a") or latest_part_a(result["part_b"]["server"])
        result["limits"] = limits(rates, result["part_b"], settings)
    return result


def levels_arg(text: str) -> list[int]:
    """'1000,10000,100000' -> [1000, 10000, 100000] (ascending, at most 1,000,000)."""
    levels = sorted(int(part) for part in text.split(",") if part.strip())
    if not levels or levels[0] < 100 or levels[-1] > 1_000_000:
        raise argparse.ArgumentTypeError("levels between 100 and 1000000")
    return levels


def parser() -> argparse.ArgumentParser:
    """The command line's options (the default command reuses them)."""
    found = argparse.ArgumentParser(
        prog="python -m bench floor",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = found.add_argument
    add("--part", choices=("a", "b", "both"), default="both")
    add("--levels", type=levels_arg, default=[1000, 10000, 100000],
        help="stored orders per level of part A (1000,10000,100000)")  # fmt: skip
    add("--seconds", type=float, default=2.0, help="time per shape (2)")
    add("--max-ops", type=int, default=500, help="operations per shape (500)")
    add("--concurrency", type=int, default=16, help="database clients (16)")
    add("--batch", type=int, default=5000, help="insert_many batch (5000)")
    add("--orders", type=int, default=200, help="order lives in part B (200)")
    add("--order-concurrency", type=int, default=50, help="orders in flight in part B (50)")
    add("--run-timeout", type=float, default=300.0, help="deadline of part B's run, s (300)")
    add("--profile", action="store_true",
        help="profile the stack's database during part B (adds a write per operation)")  # fmt: skip
    add("--idle-s", type=float, default=6.0, help="idle window for the baseline (6)")
    add("--settle-s", type=float, default=12.0,
        help="longest wait for the broker's sampled totals after the run (12)")  # fmt: skip
    return found


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line, checked."""
    options = parser()
    args = options.parse_args(argv)
    if not (1 <= args.orders <= 2000 and 1 <= args.concurrency <= 64 and args.max_ops >= 1):
        options.error("--orders 1..2000, --concurrency 1..64, --max-ops >= 1")
    return args


def write(result: Doc, text: str) -> str:
    """Keep the report and its JSON in .state/bench/; the path without suffix."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    base = OUT_DIR / f"floor-{stamp()}"
    base.with_suffix(".md").write_text(text)
    base.with_suffix(".json").write_text(json.dumps(result, indent=1, default=str) + "\n")
    return str(base)


def main(argv: list[str] | None = None) -> int:
    """Measure, print the Markdown report and keep it with its JSON in .state/bench/."""
    args = parse(argv)
    result = asyncio.run(run(args))
    text = markdown(result)
    print(text)
    say(f"written: {write(result, text)}.md and .json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
