"""Which handler a message goes to: by its routing key, or by its status when it was sent straight
to the queue by name (the default exchange, as the queue test scripts do)."""

from collections.abc import Collection

from servicekit.broker.errors import MalformedMessage
from servicekit.broker.messages import InboundMessage, StatusMessage


def route(message: InboundMessage, routing_keys: Collection[str]) -> tuple[str, StatusMessage]:
    """The routing key to handle the message under, and its validated `{status, metadata}`."""
    envelope = StatusMessage.model_validate(message.body)
    if message.routing_key in routing_keys:
        return message.routing_key, envelope
    for key in routing_keys:
        if key.split(".", 1)[-1] == envelope.status:
            return key, envelope
    raise MalformedMessage(
        f"no handler for routing key {message.routing_key!r} / status {envelope.status!r}"
    )
