"""Send N test status messages straight to a queue by name (the default exchange).

Each is `{status, metadata: {receiver, order_id, customer_id}}` with a new random order id, so a
service logs and ignores it as an unknown order. Fails when no queue has that name.
"""

import argparse
import uuid

from ops.common import run, settings
from ops.rabbit import publish, rabbit_channel
from servicekit.broker.publisher import build_message
from servicekit.contracts import status_body


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
    missing = f"no queue named {args.queue!r} (is its service started?)"
    async with rabbit_channel(settings().rabbit_url) as channel:
        for number in range(1, args.count + 1):
            order_id, customer_id = str(uuid.uuid4()), str(uuid.uuid4())
            body = status_body(args.status, args.queue, order_id, customer_id, test_message=number)
            await publish(channel.default_exchange, build_message(body), args.queue, missing)
    print(f"Sent {args.count} message(s) to queue {args.queue!r}")
    return 0


if __name__ == "__main__":
    run(main)
