"""MongoDB on PyMongo's native asyncio client: one client per process, indexes at start."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from loguru import logger
from pymongo import AsyncMongoClient, IndexModel
from pymongo.asynchronous.database import AsyncDatabase


@dataclass(frozen=True)
class CollectionIndexes:
    """The indexes one collection needs for the queries a service makes."""

    collection: str
    indexes: Sequence[IndexModel] = field(default_factory=tuple)


class MongoEngine:
    """Owns the process's one AsyncMongoClient and its database."""

    def __init__(
        self,
        url: str,
        database: str,
        timeout_ms: int = 3000,
        retry_writes: bool = True,
        min_pool_size: int = 0,
    ) -> None:
        self.client: AsyncMongoClient[Mapping] = AsyncMongoClient(
            url,
            retryWrites=retry_writes,
            # Connections opened ahead: a burst of requests does not open them one by one.
            minPoolSize=min_pool_size,
            serverSelectionTimeoutMS=timeout_ms,
            connectTimeoutMS=timeout_ms,
            tz_aware=True,
            uuidRepresentation="standard",
        )
        self.db: AsyncDatabase[Mapping] = self.client[database]

    async def ensure_indexes(self, specs: Sequence[CollectionIndexes]) -> None:
        """Create missing indexes (create_indexes is a no-op for ones that exist)."""
        for spec in specs:
            if spec.indexes:
                await self.db[spec.collection].create_indexes(list(spec.indexes))
        logger.debug("MongoDB indexes ensured for {}", [spec.collection for spec in specs])

    async def ping(self) -> None:
        """Round-trip to the server; raises when it does not answer."""
        await self.client.admin.command("ping")

    async def close(self) -> None:
        await self.client.close()
