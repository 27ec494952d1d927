"""The outbox as a document stores it: its fields, the index the sweep reads, one event's record."""

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection

from servicekit.broker import EventPublisher
from servicekit.broker.spans import inside, trace_carrier
from servicekit.contracts import Event

PENDING = "outbox"  # the events not yet published, oldest first
DUE = "outbox_due_at"  # set while events are pending: when the sweep may publish them
SOURCE = "outbox_source"  # the service and exchange the events are meant for
ATTEMPTS = "outbox_attempts"
UNROUTABLE = "outbox_unroutable"  # events no queue took after every attempt, kept as evidence

OUTBOX_INDEX_NAME = "outbox_due"
OUTBOX_INDEX = IndexModel(
    [(SOURCE, ASCENDING), (DUE, ASCENDING)],
    name=OUTBOX_INDEX_NAME,
    partialFilterExpression={DUE: {"$exists": True}},
)


def event_record(event: Event, now: datetime) -> dict[str, Any]:
    """An event as stored in the outbox; its id is also the message id consumers see. `trace` is
    the W3C carrier of the trace context current while the change is stored (empty when none)."""
    message_id = str(uuid.uuid4())
    body = {**event.body, "message_id": message_id, "sent_at": now.isoformat()}
    return {
        "id": message_id,
        "routing_key": event.routing_key,
        "body": body,
        "trace": trace_carrier(),
    }


async def publish_record(publisher: EventPublisher, record: Mapping[str, Any]) -> None:
    """Publish a stored event inside the trace context it was stored in (its publish span and
    the message's `traceparent` belong to the request or message that caused it)."""
    with inside(record.get("trace")):
        await publisher.publish(record["routing_key"], record["body"], message_id=record["id"])


def order_id(record: Mapping[str, Any]) -> Any:
    return record.get("body", {}).get("metadata", {}).get("order_id")


async def count_pending(
    collection: AsyncCollection[Mapping], sources: Sequence[str], query: Mapping[str, Any] = {}
) -> int:
    """How many documents of `collection` hold events of `sources` not yet published."""
    # The due time in the query lets the server use the partial index (else: a collection scan).
    pending = {SOURCE: {"$in": list(sources)}, DUE: {"$exists": True}}
    return await collection.count_documents({**pending, **query})
