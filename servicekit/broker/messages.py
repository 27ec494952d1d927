"""What a handler receives; the status message models live in servicekit.contracts (business
code uses them without importing the broker) and are re-exported here."""

from dataclasses import dataclass, field
from typing import Any

from servicekit.contracts import Metadata, StatusMessage

__all__ = ["InboundMessage", "Metadata", "StatusMessage"]


@dataclass(frozen=True)
class InboundMessage:
    """A decoded message as a handler sees it; `routing_key` is the one it was first sent with."""

    routing_key: str
    body: dict[str, Any]
    message_id: str | None = None
    attempt: int = 0
    headers: dict[str, Any] = field(default_factory=dict)
