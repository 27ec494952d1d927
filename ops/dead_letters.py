"""List the messages in a service's dead-letter queue (<service>.dead) with the reason each
failed, or requeue them to the service's queue for another try (after fixing the cause)."""

import argparse

import aio_pika

from ops.common import connect_rabbit, fail, run, settings, show

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
    connection = await connect_rabbit(settings().rabbit_url)
    try:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        try:
            queue = await channel.declare_queue(dead_queue, passive=True)
        except Exception:
            fail(f"no dead-letter queue {dead_queue!r} (has {args.service} ever started?)")
        messages = []
        while len(messages) < args.limit:
            message = await queue.get(fail=False, no_ack=False)
            if message is None:
                break
            messages.append(message)
        for number, message in enumerate(messages, 1):
            headers = dict(message.headers or {})
            if args.action == "list":
                print(f"--- {number}: {headers.get('x-original-routing-key')!r}")
                print(f"reason: {headers.get('x-death-reason')}")
                print(f"failed at: {headers.get('x-failed-at')}")
                print(show(message.body))
                continue
            for name in RESET_HEADERS:
                headers.pop(name, None)
            copy = aio_pika.Message(
                message.body,
                headers=headers,
                content_type=message.content_type,
                delivery_mode=2,
                message_id=message.message_id,
            )
            await channel.default_exchange.publish(copy, routing_key=work_queue)
            await message.ack()
        if args.action == "list":
            await channel.close()  # unacked messages go back to the queue, in order
            print(f"{len(messages)} message(s) in {dead_queue!r}")
        else:
            print(f"Requeued {len(messages)} message(s) from {dead_queue!r} to {work_queue!r}")
    finally:
        await connection.close()
    return 0


if __name__ == "__main__":
    run(main)
