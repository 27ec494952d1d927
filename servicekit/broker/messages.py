"""The status message every party exchanges, and what a handler receives."""

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Metadata(BaseModel):
    """Who a status message is for and which order it is about."""

    model_config = ConfigDict(extra="allow")

    receiver: str = Field(min_length=1)
    order_id: str = Field(min_length=1)
    customer_id: str = Field(min_length=1)


class StatusMessage(BaseModel):
    """`{status, metadata}` plus whatever the source adds (delivery_id, kitchen_id, distance...)."""

    model_config = ConfigDict(extra="allow")

    status: str = Field(min_length=1)
    metadata: Metadata


@dataclass(frozen=True)
class InboundMessage:
    """A decoded message as a handler sees it; `routing_key` is the one it was first sent with."""

    routing_key: str
    body: dict[str, Any]
    message_id: str | None = None
    attempt: int = 0
    headers: dict[str, Any] = field(default_factory=dict)
