"""List the messages in a service's dead-letter queue (<service>.dead) with the reason each
failed, or requeue them to the service's queue for another try (after fixing the cause)."""

import argparse

from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue

from ops.common import run, settings, show
from ops.rabbit import existing_queue, publish, rabbit_channel
from servicekit.broker.publisher import copy_message

# Headers our consumer adds on the way to the dead-letter queue; a requeued message starts afresh.
RESET_HEADERS = ("x-attempt", "x-death-reason", "x-failed-at")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ops.dead_letters", description=__doc__)
    parser.add_argument("action", choices=["list", "requeue"])
    parser.add_argument(
        "--service", default="OrderService", help="service queue (default OrderService)"
    )
    parser.add_argument(
        "--queue", help="the service's work queue, when QUEUE_NAME differs from the service name"
    )
    parser.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    return parser.parse_args(argv)


async def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    work_queue = args.queue or args.service
    dead_queue = f"{work_queue}.dead"
    missing = f"no dead-letter queue {dead_queue!r} (has {args.service} ever started?)"
    async with rabbit_channel(settings().rabbit_url) as channel:
        queue = await existing_queue(channel, dead_queue, missing)
        messages = await take(queue, args.limit)
        if args.action == "list":
            print_all(messages)
            await channel.close()  # unacked messages go back to the queue, in order
            print(f"{len(messages)} message(s) in {dead_queue!r}")
            return 0
        for message in messages:
            await requeue(channel, message, work_queue)
    print(f"Requeued {len(messages)} message(s) from {dead_queue!r} to {work_queue!r}")
    return 0


async def take(queue: AbstractQueue, limit: int) -> list[AbstractIncomingMessage]:
    """Up to `limit` messages, unacked: they stay the queue's until acked or the channel closes."""
    messages = []
    while len(messages) < limit:
        message = await queue.get(fail=False, no_ack=False)
        if message is None:
            break
        messages.append(message)
    return messages


def print_all(messages: list[AbstractIncomingMessage]) -> None:
    for number, message in enumerate(messages, 1):
        headers = message.headers or {}
        print(f"--- {number}: {headers.get('x-original-routing-key')!r}")
        print(f"reason: {headers.get('x-death-reason')}")
        print(f"failed at: {headers.get('x-failed-at')}")
        print(show(message.body))


async def requeue(
    channel: AbstractChannel, message: AbstractIncomingMessage, work_queue: str
) -> None:
    """Send a copy, without our failure headers, to the work queue; then drop the original."""
    headers = {k: v for k, v in (message.headers or {}).items() if k not in RESET_HEADERS}
    unroutable = f"no queue named {work_queue!r} (give --queue when QUEUE_NAME differs)"
    await publish(channel.default_exchange, copy_message(message, headers), work_queue, unroutable)
    await message.ack()


if __name__ == "__main__":
    run(main)
