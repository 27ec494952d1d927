"""Send one delivery or kitchen status message for an order, as the transport company or the
restaurant would: driverAvailable, cookingMeal, cookingDone, pickedUp, inTransit or delivered.

It goes to the topic exchange with its routing key (e.g. kitchen.cookingMeal), or with --to-queue
straight to OrderService's queue by name. The customer id is read from the order when not given.
"""

import argparse

from ops.common import fail, run, settings
from ops.rabbit import publish, rabbit_channel
from servicekit.broker.publisher import build_message
from servicekit.contracts import OUTSIDE_REPORTS, status_event
from servicekit.mongo import MongoEngine


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ops.send_status", description=__doc__)
    parser.add_argument("order_id")
    parser.add_argument("status", choices=list(OUTSIDE_REPORTS))
    parser.add_argument("--customer-id", help="default: the order's customer, read from MongoDB")
    parser.add_argument(
        "--to-queue", metavar="QUEUE", help="publish to this queue by name instead of the exchange"
    )
    return parser.parse_args(argv)


async def customer_of(order_id: str) -> str:
    config = settings()
    mongo = MongoEngine(config.mongo_url, config.mongo_db, timeout_ms=2000)
    try:
        order = await mongo.db.orders.find_one({"_id": order_id}, {"customer_id": 1})
    except Exception as error:
        fail(f"MongoDB is not reachable ({error!r}); is the stack running? (make up)")
    finally:
        await mongo.close()
    if order is None:
        fail(f"no order {order_id} (give --customer-id to send anyway)")
    return str(order["customer_id"])


async def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    config = settings()
    customer_id = args.customer_id or await customer_of(args.order_id)
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
