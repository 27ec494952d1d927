"""From a raw AMQP delivery to the `InboundMessage` a handler sees, and the headers we write."""

from typing import Any

import ujson
from aio_pika.abc import AbstractIncomingMessage

from servicekit.broker.errors import MalformedMessage
from servicekit.broker.messages import InboundMessage

ATTEMPT_HEADER = "x-attempt"
ROUTING_KEY_HEADER = "x-original-routing-key"
EXCHANGE_HEADER = "x-original-exchange"
REASON_HEADER = "x-death-reason"


def attempt(headers: dict[str, Any]) -> int:
    """The retry count our consumer wrote; anything a sender put there that is not a small
    count reads as a first attempt."""
    try:
        return max(0, min(int(headers.get(ATTEMPT_HEADER, 0) or 0), 1000))
    except (TypeError, ValueError):
        return 0


def original_routing_key(raw: AbstractIncomingMessage) -> str:
    """The key the message was first sent with (a retry copy comes back by its queue's name)."""
    return str((raw.headers or {}).get(ROUTING_KEY_HEADER) or raw.routing_key or "")


def decode(raw: AbstractIncomingMessage) -> InboundMessage:
    try:
        body = ujson.loads(raw.body)
    except ValueError:
        raise MalformedMessage("body is not JSON") from None
    if not isinstance(body, dict):
        raise MalformedMessage(f"body is a JSON {type(body).__name__}, not an object")
    headers = dict(raw.headers or {})
    return InboundMessage(
        routing_key=original_routing_key(raw),
        body=body,
        message_id=raw.message_id,
        attempt=attempt(headers),
        headers=headers,
    )


def order_id(raw: AbstractIncomingMessage) -> str:
    """Best-effort order id for log lines about a message that may not even be JSON."""
    try:
        return str(ujson.loads(raw.body)["metadata"]["order_id"])
    except Exception:
        return ""
