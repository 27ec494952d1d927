"""Distances in MongoDB, one document per order (`_id` is the order id), inserted with its
`distance.calculated` or `distance.unavailable` event inside (one write). Read by `_id`; the
outbox sweep has its index."""

from collections.abc import Mapping
from dataclasses import asdict, fields
from typing import Any

from pymongo.errors import DuplicateKeyError

from DistanceService.business.models import DistanceCalculation, DistanceEvent
from servicekit.document_store import DocumentStore
from servicekit.mongo import CollectionIndexes
from servicekit.outbox import OUTBOX_INDEX

COLLECTION = "distances"
DISTANCE_INDEXES = CollectionIndexes(COLLECTION, [OUTBOX_INDEX])
_FIELDS = {f.name for f in fields(DistanceCalculation)}


def _to_calculation(document: Mapping[str, Any]) -> DistanceCalculation:
    return DistanceCalculation(**{key: document[key] for key in _FIELDS if key in document})


class MongoDistanceRepository:
    def __init__(self, distances: DocumentStore) -> None:
        self._store = distances

    async def insert(self, calculation: DistanceCalculation, event: DistanceEvent) -> bool:
        document = {"_id": calculation.order_id, **asdict(calculation)}
        try:
            await self._store.insert(document, [event])
        except DuplicateKeyError:  # the order's distance is stored already: the event too
            return False
        return True

    async def get(self, order_id: str) -> DistanceCalculation | None:
        document = await self._store.get(order_id)
        return _to_calculation(document) if document else None
