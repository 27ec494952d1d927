"""Removing the published events from their documents, in batches."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from servicekit.outbox.records import ATTEMPTS, DUE, PENDING, SOURCE


@dataclass(eq=False)
class PublishedMarks:
    """The events published since the last flush, by document (the relay flushes them often)."""

    collection: AsyncCollection[Mapping]
    _published: dict[Any, list[str]] = field(default_factory=dict, init=False)

    def add(self, document_id: Any, *event_ids: str) -> None:
        """Mark `event_ids` published; with none, the flush still clears a document's due time
        once it holds no pending events."""
        self._published.setdefault(document_id, []).extend(event_ids)

    async def flush(self) -> None:
        """Remove the events published since the last flush from their documents: two writes
        for the whole batch, however many documents it covers."""
        if not self._published:
            return
        batch, self._published = self._published, {}
        ids = list(batch)
        event_ids = [event_id for published in batch.values() for event_id in published]
        try:
            await self.collection.update_many(
                {"_id": {"$in": ids}}, {"$pull": {PENDING: {"id": {"$in": event_ids}}}}
            )
            await self.collection.update_many(
                {"_id": {"$in": ids}, PENDING: {"$size": 0}},
                {"$unset": {PENDING: "", DUE: "", SOURCE: "", ATTEMPTS: ""}},
            )
        except Exception:
            for document_id, published in batch.items():  # MongoDB hiccup: next batch
                self.add(document_id, *published)
            raise
