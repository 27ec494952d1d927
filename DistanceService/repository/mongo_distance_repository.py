"""Distances in MongoDB, one document per order (`_id` is the order id); each is committed in
one transaction with its `distance.calculated` outbox record. Read only by `_id`, so the
collection needs no index beyond the default one."""

from collections.abc import Mapping
from dataclasses import asdict, fields
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from DistanceService.business.models import DistanceCalculation, DistanceEvent
from servicekit.outbox import Emit, Outbox

COLLECTION = "distances"
_FIELDS = {f.name for f in fields(DistanceCalculation)}


def _to_calculation(document: Mapping[str, Any]) -> DistanceCalculation:
    return DistanceCalculation(**{key: document[key] for key in _FIELDS})


class MongoDistanceRepository:
    def __init__(self, db: AsyncDatabase[Mapping], outbox: Outbox) -> None:
        self._distances = db[COLLECTION]
        self._outbox = outbox

    async def insert(self, calculation: DistanceCalculation, event: DistanceEvent) -> bool:
        async def store(session: AsyncClientSession, emit: Emit) -> None:
            document = {"_id": calculation.order_id, **asdict(calculation)}
            await self._distances.insert_one(document, session=session)
            await emit(event.routing_key, event.body)

        try:
            await self._outbox.commit(store)
        except DuplicateKeyError:  # the order's distance is stored already: the event too
            return False
        return True

    async def get(self, order_id: str) -> DistanceCalculation | None:
        document = await self._distances.find_one({"_id": order_id})
        return _to_calculation(document) if document else None
