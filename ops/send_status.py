"""Send one delivery or kitchen status message for an order, as the transport company or the
restaurant would: driverAvailable, cookingMeal, cookingDone, pickedUp, inTransit or delivered.

It goes to the topic exchange with its routing key (e.g. kitchen.cookingMeal), or with --to-queue
straight to OrderService's queue by name. The order is read first and OrderService's own rules
decide whether the status applies now: when it would wait (and end dead-lettered) or be ignored,
nothing is sent and the exit code is 3, unless --force. A status that would wait is checked again
for up to 3 s first (the previous one may still be being applied). The customer id is read from
the order when not given.
"""

import argparse
import asyncio
import time
from typing import Any

from ops.common import fail, run, settings
from ops.rabbit import publish, rabbit_channel
from OrderService.business.state_machine import OrderStatus, Verdict, decide
from servicekit.broker.publisher import build_message
from servicekit.contracts import OUTSIDE_REPORTS, status_event
from servicekit.mongo import MongoEngine

REFUSED = 3
GRACE_S = 3.0


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ops.send_status", description=__doc__)
    parser.add_argument("order_id")
    parser.add_argument("status", choices=list(OUTSIDE_REPORTS))
    parser.add_argument("--customer-id", help="default: the order's customer, read from MongoDB")
    parser.add_argument(
        "--to-queue", metavar="QUEUE", help="publish to this queue by name instead of the exchange"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="send even when the order is unknown or the status does not apply to it now",
    )
    return parser.parse_args(argv)


async def read_order(order_id: str, status: str, force: bool) -> dict[str, Any] | None:
    """The order; while the status would wait for it, read again for up to GRACE_S (a status
    sent right after the previous one: that one may still be being applied)."""
    config = settings()
    mongo = MongoEngine(config.mongo_url, config.mongo_db, timeout_ms=2000)
    deadline = time.monotonic() + GRACE_S
    try:
        while True:
            order = await mongo.db.orders.find_one(
                {"_id": order_id}, {"customer_id": 1, "status": 1}
            )
            waiting = order is not None and verdict(order, status) == Verdict.WAIT
            if force or not waiting or time.monotonic() > deadline:
                return order
            await asyncio.sleep(0.2)
    except Exception as error:
        fail(f"MongoDB is not reachable ({error!r}); is the stack running? (make up)")
    finally:
        await mongo.close()


def verdict(order: dict[str, Any], status: str) -> Verdict:
    return decide(OrderStatus(order["status"]), OrderStatus(status)).verdict


def objection(args: argparse.Namespace, order: dict[str, Any] | None) -> str | None:
    """Why OrderService would not apply the status now, or None when it would."""
    if order is None:
        return f"no order {args.order_id}: OrderService would ignore the status"
    current, target = OrderStatus(order["status"]), OrderStatus(args.status)
    decision = decide(current, target)
    if decision.verdict == Verdict.WAIT:
        queue = args.to_queue or "OrderService"
        return (
            f"order {args.order_id} is {current}: {target} comes later "
            f"(it would wait, be retried and end in {queue}.dead)"
        )
    if decision.verdict == Verdict.IGNORE:
        return f"order {args.order_id} is {current}: {target} would be ignored: {decision.reason}"
    return None


async def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    config = settings()
    order = await read_order(args.order_id, args.status, args.force)
    if order is None and not args.customer_id:
        fail(f"no order {args.order_id} (give --customer-id and --force to send anyway)")
    problem = objection(args, order)
    if problem and not args.force:
        fail(f"{problem}; nothing sent (--force sends anyway)", code=REFUSED)
    if problem:
        print(f"warning: {problem}; sending anyway (--force)")
    customer_id = args.customer_id or str(order["customer_id"])
    event = status_event(OUTSIDE_REPORTS[args.status], "OrderService", args.order_id, customer_id)
    async with rabbit_channel(config.rabbit_url) as channel:
        if args.to_queue:
            target, routing_key = channel.default_exchange, args.to_queue
        else:
            target = await channel.get_exchange(config.exchange_name, ensure=True)
            routing_key = event.routing_key
        unroutable = f"nobody consumes {routing_key!r} (is OrderService started?)"
        await publish(target, build_message(event.body), routing_key, unroutable)
    print(f"Sent {args.status} for order {args.order_id} via {routing_key!r}")
    return 0


if __name__ == "__main__":
    run(main)
