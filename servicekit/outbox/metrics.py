"""The outbox's backlog as Prometheus gauges: how many events wait and how old the oldest is.

Measured every few seconds with one aggregation over the partial index (only documents with
pending events are in it, so its cost follows the backlog, never the stored data). No hint:
SecantusDB's Rust server reads the index far slower with one (30 ms instead of 0.5 ms at 100k
documents); its Python server scans the collection without one (see the sweep).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Gauge
from pymongo.asynchronous.collection import AsyncCollection

from servicekit.outbox.records import DUE, PENDING, SOURCE

EVENTS_WAITING = Gauge(
    "outbox_events_waiting", "Events stored and not yet published", ["collection"]
)
OLDEST_AGE = Gauge(
    "outbox_oldest_event_age_seconds",
    "Age of the oldest event not yet published (0 when none waits)",
    ["collection"],
)


def backlog_pipeline(source: str) -> list[dict[str, Any]]:
    """Count the pending events of `source` and find the oldest (each document's first)."""
    return [
        {"$match": {SOURCE: source, DUE: {"$exists": True}}},  # the partial index's filter
        {"$project": {"events": {"$size": f"${PENDING}"}, "first": {"$first": f"${PENDING}"}}},
        {
            "$group": {
                "_id": None,
                "events": {"$sum": "$events"},
                "oldest": {"$min": "$first.body.sent_at"},
            }
        },
    ]


@dataclass(eq=False)
class OutboxBacklog:
    """Keeps the gauges of one collection up to date for the events of `source`."""

    collection: AsyncCollection[Mapping]
    source: str

    async def measure(self) -> tuple[int, float]:
        """Set the gauges; returns (events waiting, age of the oldest in seconds)."""
        cursor = await self.collection.aggregate(backlog_pipeline(self.source))
        found = await cursor.to_list()
        events = int(found[0]["events"]) if found else 0
        age = _age_s(found[0].get("oldest")) if events else 0.0
        name = self.collection.name
        EVENTS_WAITING.labels(name).set(events)
        OLDEST_AGE.labels(name).set(age)
        return events, age


def _age_s(sent_at: Any) -> float:
    """Seconds since `sent_at` (the ISO time an event was stored); 0 when it cannot be read."""
    try:
        stored = datetime.fromisoformat(str(sent_at))
    except ValueError:
        return 0.0
    if stored.tzinfo is None:
        stored = stored.replace(tzinfo=UTC)
    return max(0.0, (datetime.now(UTC) - stored).total_seconds())
