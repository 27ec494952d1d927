"""Receive and print messages waiting in a queue (routing key, headers, body).

By default each printed message is acknowledged (taken off the queue); with --peek they are all
put back in order.
"""

import argparse
import asyncio

from ops.common import run, settings, show
from ops.rabbit import existing_queue, rabbit_channel


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ops.receive_messages", description=__doc__)
    parser.add_argument("--queue", required=True, help="queue name, e.g. OrderService.dead")
    parser.add_argument("--count", type=int, default=10, help="at most this many (default 10)")
    parser.add_argument(
        "--wait", type=float, default=2.0, help="seconds to wait for a first message"
    )
    parser.add_argument("--peek", action="store_true", help="print but leave them on the queue")
    return parser.parse_args(argv)


async def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    async with rabbit_channel(settings().rabbit_url) as channel:
        queue = await existing_queue(channel, args.queue, f"no queue named {args.queue!r}")
        received = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + args.wait
        while len(received) < args.count:
            message = await queue.get(fail=False, no_ack=False)
            if message is None:
                if received or loop.time() > deadline:
                    break
                await asyncio.sleep(0.1)
                continue
            received.append(message)
            print(f"--- message {len(received)} (routing key {message.routing_key!r})")
            if message.headers:
                print(f"headers: {show(dict(message.headers))}")
            print(show(message.body))
        for message in received:
            if args.peek:
                await message.nack(requeue=True)
            else:
                await message.ack()
    action = "left on" if args.peek else "taken from"
    print(f"{len(received)} message(s) {action} {args.queue!r}")
    return 0


if __name__ == "__main__":
    run(main)
