"""Send N test status messages straight to a queue by name (the default exchange).

Each is `{status, metadata: {receiver, order_id, customer_id}}` with a new random order id, so a
service logs and ignores it as an unknown order. Fails when no queue has that name.
"""

import argparse
import uuid

import aio_pika
import ujson
from aio_pika.exceptions import PublishError

from ops.common import connect_rabbit, fail, run, settings


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ops.send_test_messages", description=__doc__)
    parser.add_argument("--queue", default="OrderService", help="queue name (default OrderService)")
    parser.add_argument(
        "--count", type=int, default=1, help="how many messages, 1-10000 (default 1)"
    )
    parser.add_argument("--status", default="inTransit", help="status field (default inTransit)")
    args = parser.parse_args(argv)
    if not 1 <= args.count <= 10_000:
        parser.error("--count must be between 1 and 10000")
    return args


async def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    connection = await connect_rabbit(settings().rabbit_url)
    try:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        for number in range(1, args.count + 1):
            body = {
                "status": args.status,
                "metadata": {
                    "receiver": args.queue,
                    "order_id": str(uuid.uuid4()),
                    "customer_id": str(uuid.uuid4()),
                },
                "test_message": number,
            }
            message = aio_pika.Message(
                ujson.dumps(body).encode(), content_type="application/json", delivery_mode=2
            )
            try:
                await channel.default_exchange.publish(message, routing_key=args.queue)
            except PublishError:
                fail(f"no queue named {args.queue!r} (is its service started?)")
        print(f"Sent {args.count} message(s) to queue {args.queue!r}")
    finally:
        await connection.close()
    return 0


if __name__ == "__main__":
    run(main)
