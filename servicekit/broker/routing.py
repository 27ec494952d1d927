"""Which routing key a message is handled under: the one it was sent with, or the one that ends in
its status when it was sent straight to the queue by name (the default exchange, as the queue
test scripts do)."""

from collections.abc import Collection

from servicekit.broker.errors import MalformedMessage
from servicekit.broker.messages import InboundMessage


def route_key(message: InboundMessage, routing_keys: Collection[str]) -> str:
    if message.routing_key in routing_keys:
        return message.routing_key
    status = message.body.get("status")
    for key in routing_keys:
        if isinstance(status, str) and key.split(".", 1)[-1] == status:
            return key
    raise MalformedMessage(
        f"no handler for routing key {message.routing_key!r} / status {status!r}"
    )
