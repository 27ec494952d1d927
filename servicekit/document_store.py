"""One collection of aggregates (orders, payments, distances): each change is one conditional
single-document write that also stores the events it causes (see servicekit.outbox).

The store remembers the last version of each document it wrote or read (a bounded map). A change
of a remembered document is written with its version as a condition and the result is computed
here, so it costs one round trip instead of a write and a read (findAndModify's cost grows with
the collection on SecantusDB). When another instance changed the document meanwhile, the version
does not match and the store falls back to a write and a read of the current document.
"""

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from servicekit.clock import now_ms
from servicekit.contracts import Event
from servicekit.outbox import DUE, PENDING, SOURCE, OutboxRelay, event_record

VERSION = "version"
_OUTBOX_FIELDS = (PENDING, DUE, SOURCE)


class CannotApply(Exception):
    """An update this module does not compute locally (the store reads the result instead)."""


def apply_update(document: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """`update` ($set, $unset, $inc, $push with or without $each, top-level fields only) applied
    as MongoDB would, to a new dict: `document` and its lists are left as they were (documents
    are shared read-only, never changed in place)."""
    result = dict(document)
    for operator, fields in update.items():
        for field, value in fields.items():
            if "." in field:
                raise CannotApply(field)
            if operator == "$set":
                result[field] = value
            elif operator == "$unset":
                result.pop(field, None)
            elif operator == "$inc":
                result[field] = result.get(field, 0) + value
            elif operator == "$push":
                each = value["$each"] if isinstance(value, dict) and "$each" in value else [value]
                result[field] = [*result.get(field, []), *each]
            else:
                raise CannotApply(operator)
    return result


def _public(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document without its outbox bookkeeping (the relay changes that on its own)."""
    return {key: value for key, value in document.items() if key not in _OUTBOX_FIELDS}


class DocumentStore:
    """A MongoDB collection of versioned documents whose writes carry the events they cause."""

    def __init__(
        self,
        collection: AsyncCollection[Mapping],
        relay: OutboxRelay,
        grace_s: float = 5.0,
        remember: int = 20_000,
    ) -> None:
        self.collection = collection
        self._relay = relay
        self._grace_s = grace_s
        self._remember = remember
        self._known: OrderedDict[Any, dict[str, Any]] = OrderedDict()

    def _keep(self, document: Mapping[str, Any] | None) -> dict[str, Any] | None:
        if document is None:
            return None
        kept = _public(document)
        self._known[kept["_id"]] = kept
        self._known.move_to_end(kept["_id"])
        if len(self._known) > self._remember:
            self._known.popitem(last=False)
        return kept  # shared with the map: read-only for callers

    def _pending(self, events: Sequence[Event], now: datetime) -> tuple[list, dict[str, Any]]:
        """The events as outbox records, and the fields that tell the relay they wait."""
        records = [event_record(event, now) for event in events]
        due = {DUE: now + timedelta(seconds=self._grace_s), SOURCE: self._relay.source}
        return records, due if records else {}

    async def insert(self, document: dict[str, Any], events: Sequence[Event] = ()) -> None:
        """Insert a document with its events (DuplicateKeyError when its key is taken)."""
        records, pending = self._pending(events, now_ms())
        stored = {VERSION: 1, **document, **({PENDING: records} if records else {}), **pending}
        await self.collection.insert_one(stored)
        self._keep(stored)
        self._relay.publish_soon(stored["_id"], records)

    async def get(self, document_id: Any) -> dict[str, Any] | None:
        return self._keep(await self.collection.find_one({"_id": document_id}))

    async def find_one(self, query: Mapping[str, Any]) -> dict[str, Any] | None:
        return self._keep(await self.collection.find_one(query))

    async def find(self, query: Mapping[str, Any], **options: Any) -> list[dict[str, Any]]:
        """The documents `collection.find(query, **options)` returns, each remembered (a change
        of one of them next costs one round trip)."""
        found = await self.collection.find(query, **options).to_list()
        return [kept for document in found if (kept := self._keep(document)) is not None]

    async def delete(self, query: Mapping[str, Any]) -> bool:
        """Delete the document matching `query` (which names its `_id`)."""
        self._known.pop(query["_id"], None)
        return (await self.collection.delete_one(query)).deleted_count == 1

    async def update(
        self, query: Mapping[str, Any], update: dict[str, Any], events: Sequence[Event] = ()
    ) -> dict[str, Any] | None:
        """Apply `update` to the document matching `query` (which names its `_id`), with its
        events, in one write; the document after it, or None (nothing stored) when nothing
        matched. The version goes up by one with every change."""
        records, pending = self._pending(events, now_ms())
        update = {**update, "$inc": {**update.get("$inc", {}), VERSION: 1}}
        if records:
            update["$set"] = {**update.get("$set", {}), **pending}
            update["$push"] = {**update.get("$push", {}), PENDING: {"$each": records}}
        document_id = query["_id"]
        known = self._known.get(document_id)
        if known is not None:
            changed = await self._update_known(known, query, update)
            if changed is not None:
                self._relay.publish_soon(document_id, records)
                return changed
        if (await self.collection.update_one(query, update)).matched_count == 0:
            self._known.pop(document_id, None)  # it may have moved on: read it afresh next time
            return None
        self._relay.publish_soon(document_id, records)
        # The read may see a later change too, never an earlier one.
        return self._keep(await self.collection.find_one({"_id": document_id}))

    async def _update_known(
        self, known: Mapping[str, Any], query: Mapping[str, Any], update: dict[str, Any]
    ) -> dict[str, Any] | None:
        """The write conditioned on the remembered version, its result computed here; None
        when the document is not that version any more (or the update cannot be computed)."""
        try:
            changed = apply_update(known, update)
        except CannotApply:
            return None
        result = await self.collection.update_one({**query, VERSION: known.get(VERSION)}, update)
        if result.matched_count == 0:
            return None
        return self._keep(changed)
