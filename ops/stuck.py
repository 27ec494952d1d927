"""List the stuck orders: the ones that have not moved for longer than their status normally
takes (OrderService's STUCK_AFTER_S thresholds, or --older-than), the longest unchanged first,
then how many are stuck per status. A cancelled order counts only while it waits for its
reimbursement; delivered, paymentFailed and reimbursed orders have ended and never count."""

import argparse
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from pymongo.errors import PyMongoError

from ops.common import fail, run
from OrderService.business.state_machine import FINAL, OrderStatus
from OrderService.repository.mongo_order_repository import COLLECTION
from OrderService.repository.stuck_orders import StuckOrder, StuckOrders
from OrderService.settings import OrderSettings
from servicekit.mongo import MongoEngine
from servicekit.settings import ConfigError, load_settings

WAITING = [status.value for status in OrderStatus if status not in FINAL]


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ops.stuck", description=__doc__)
    parser.add_argument("--status", choices=WAITING, help="only orders in this status")
    parser.add_argument("--limit", type=int, default=50, help="list at most this many (50)")
    parser.add_argument(
        "--older-than",
        type=float,
        metavar="SECONDS",
        help="stuck when unchanged this long, in any status (instead of the thresholds)",
    )
    args = parser.parse_args(argv)
    if args.limit < 1:
        parser.error("--limit must be at least 1")
    if args.older_than is not None and args.older_than < 0:
        parser.error("--older-than must not be negative")
    return args


def thresholds(args: argparse.Namespace, config: OrderSettings) -> dict[OrderStatus, float]:
    """Seconds without a change after which an order counts as stuck, per status looked at."""
    chosen = {
        status: seconds
        for status, seconds in config.stuck_after_s.items()
        if args.status in (None, status.value)
    }
    if args.older_than is not None:
        return dict.fromkeys(chosen, args.older_than)
    return chosen


def duration(seconds: float) -> str:
    """`2d 03h`, `1h 05m`, `4m 09s` or `12s`."""
    rest = int(seconds)
    days, rest = divmod(rest, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, rest = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {rest:02d}s" if minutes else f"{rest}s"


def print_orders(orders: Sequence[StuckOrder], now: datetime) -> None:
    if not orders:
        print("No stuck orders.")
        return
    print(f"{'ORDER ID':<38}{'STATUS':<19}{'UNCHANGED FOR':<15}CUSTOMER")
    for order in orders:
        age = duration((now - order.since).total_seconds())
        print(f"{order.id:<38}{order.status.value:<19}{age:<15}{order.customer_id}")


def print_counts(counts: Mapping[OrderStatus, int], after_s: Mapping[OrderStatus, float]) -> None:
    print("\nStuck orders per status:")
    for status, count in counts.items():
        print(f"  {status.value:<19}{count:>6}   (unchanged for over {duration(after_s[status])})")
    print(f"  {'total':<19}{sum(counts.values()):>6}")


def order_settings() -> OrderSettings:
    try:
        return load_settings(OrderSettings, service_name="ops")
    except ConfigError as error:
        fail(str(error), code=2)


async def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    config = order_settings()
    mongo = MongoEngine(config.mongo_url, config.mongo_db, timeout_ms=2000)
    stuck = StuckOrders(mongo.db[COLLECTION], thresholds(args, config))
    now = datetime.now(UTC)
    try:
        oldest = await stuck.oldest(now, args.limit)
        counts = await stuck.count(now)
    except PyMongoError as error:
        fail(f"MongoDB is not reachable ({error!r}); is the stack running? (make up)")
    finally:
        await mongo.close()
    print_orders(oldest, now)
    print_counts(counts, stuck.thresholds)
    return 0


if __name__ == "__main__":
    run(main)
