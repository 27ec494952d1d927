"""The webhook-ids of the card company's callbacks processed, in MongoDB: one small document per
callback, removed by a TTL index after two days. A sender sends a message again with the same id
for about a day; a copy replayed by anyone else is refused by its signature's 5-minute timestamp
tolerance, and the payment's own duplicate rules still hold after the id is forgotten."""

from collections.abc import Mapping
from contextlib import suppress
from datetime import timedelta

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from servicekit.clock import now_ms
from servicekit.mongo import CollectionIndexes

COLLECTION = "card_webhooks"
KEEP = timedelta(days=2)
PROCESSED_WEBHOOK_INDEXES = CollectionIndexes(
    COLLECTION,
    [
        IndexModel(
            [("at", ASCENDING)],
            expireAfterSeconds=int(KEEP.total_seconds()),
            name="forget_after_two_days",
        )
    ],
)


class MongoProcessedWebhooks:
    """`ProcessedWebhooks` on a collection keyed by webhook-id."""

    def __init__(self, database: AsyncDatabase[Mapping]) -> None:
        self.collection = database[COLLECTION]

    async def seen(self, webhook_id: str) -> bool:
        return await self.collection.find_one({"_id": webhook_id}, {"_id": 1}) is not None

    async def remember(self, webhook_id: str, caller_id: str) -> None:
        # The same message delivered twice at once: the other copy remembered it already.
        with suppress(DuplicateKeyError):
            await self.collection.insert_one(
                {"_id": webhook_id, "caller_id": caller_id, "at": now_ms()}
            )
