"""The outbox inside the aggregate: a change and the events it causes are one single-document
write, then the events are relayed to the broker.

`DocumentStore.insert` and `.update` (servicekit.document_store) store the events in the
changed document's `outbox` array, with `outbox_due_at` (when the sweep may step in) and
`outbox_source` (who relays them), in the same write as the change: nothing is published for a
change that was not stored. Right after the write the relay publishes them (the fast path) and
removes them with batched marks.
What the fast path could not publish (broker down, no queue bound yet, process killed) the
relay's sweep finds through a partial index holding only documents with pending events, so its
cost does not grow with the collection: nothing stored is left unpublished. A process that dies
between publishing and marking publishes that event again later; consumers are idempotent.
Each event record keeps the trace context of the change that stored it (`trace`, a W3C
carrier); the relay publishes the event inside it, at once or from the sweep, so the message
joins the trace of the request that caused it. The relay also keeps the backlog gauges
(`outbox_events_waiting`, `outbox_oldest_event_age_seconds`, see `metrics`).
"""

from servicekit.outbox.records import (
    ATTEMPTS,
    DUE,
    OUTBOX_INDEX,
    OUTBOX_INDEX_NAME,
    PENDING,
    SOURCE,
    UNROUTABLE,
    count_pending,
    event_record,
)
from servicekit.outbox.relay import OutboxRelay

__all__ = [
    "ATTEMPTS",
    "DUE",
    "OUTBOX_INDEX",
    "OUTBOX_INDEX_NAME",
    "PENDING",
    "SOURCE",
    "UNROUTABLE",
    "OutboxRelay",
    "count_pending",
    "event_record",
]
