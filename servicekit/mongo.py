"""MongoDB on PyMongo's native asyncio client: one client per process, indexes at start, and
which of its errors mean "the database cannot be reached now" (a 503, a message that waits)."""

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pymongo
from loguru import logger
from pymongo import AsyncMongoClient, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure, ExecutionTimeout, WTimeoutError

# Server selection timed out, a connection broke or timed out, the server is shutting down or no
# longer primary (all ConnectionFailure), or the server gave up on time: nothing wrong with the
# request, it can be sent again once the database answers.
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    ConnectionFailure,
    ExecutionTimeout,
    WTimeoutError,
)


def database_unavailable(error: BaseException) -> bool:
    """Whether `error`, or an error it was raised from, says MongoDB is unreachable for now."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, DATABASE_UNAVAILABLE):
            return True
        cause = cause.__cause__
    return False


def unavailable_reason(error: BaseException, limit: int = 160) -> str:
    """The error's type and first words, without PyMongo's topology description."""
    text = str(error).split(", Timeout:")[0].split(" (configured timeouts")[0]
    return f"{type(error).__name__}: {text}"[:limit]


@dataclass(eq=False)
class OutageNotice:
    """Says once that `what` waits for an unreachable MongoDB, and once that it goes on (a loop
    that fails every few seconds during an outage does not fill the log)."""

    what: str
    waiting: bool = False

    def failed(self, error: BaseException) -> None:
        if not self.waiting:
            logger.warning(
                "MongoDB unavailable, {} waits: {}", self.what, unavailable_reason(error)
            )
        self.waiting = True

    def recovered(self) -> None:
        if self.waiting:
            logger.info("MongoDB answers again, {} goes on", self.what)
        self.waiting = False


@dataclass(frozen=True)
class CollectionIndexes:
    """The indexes one collection needs for the queries a service makes."""

    collection: str
    indexes: Sequence[IndexModel] = field(default_factory=tuple)


INDEX_BUILD_TIMEOUT_S = 600.0


class MongoEngine:
    """Owns the process's one AsyncMongoClient and its database."""

    def __init__(
        self,
        url: str,
        database: str,
        timeout_ms: int = 2000,
        retry_writes: bool = True,
        min_pool_size: int = 0,
        socket_timeout_ms: int = 15_000,
    ) -> None:
        self.client: AsyncMongoClient[Mapping] = AsyncMongoClient(
            url,
            retryWrites=retry_writes,
            # Connections opened ahead: a burst of requests does not open them one by one.
            minPoolSize=min_pool_size,
            serverSelectionTimeoutMS=timeout_ms,
            connectTimeoutMS=timeout_ms,
            # No wait without end (PyMongo's default): a connection's handshake or an operation
            # the server never answers (a server killed or restarting mid-way) fails after this
            # long as a NetworkTimeout, i.e. "database unavailable", instead of holding its
            # pool slot for good.
            socketTimeoutMS=socket_timeout_ms,
            tz_aware=True,
            uuidRepresentation="standard",
        )
        self.db: AsyncDatabase[Mapping] = self.client[database]

    async def ensure_indexes(self, specs: Sequence[CollectionIndexes]) -> None:
        """Create missing indexes (create_indexes is a no-op for ones that exist)."""
        # A new index on a big collection may take longer than the socket timeout allows.
        with pymongo.timeout(INDEX_BUILD_TIMEOUT_S):
            for spec in specs:
                if spec.indexes:
                    await self.db[spec.collection].create_indexes(list(spec.indexes))
        logger.debug("MongoDB indexes ensured for {}", [spec.collection for spec in specs])

    async def ping(self, timeout_s: float | None = None) -> None:
        """Round-trip to the server; raises when it does not answer within `timeout_s`.

        A caller that gives up (a health check's timeout) does not cancel the ping: cancelling a
        PyMongo operation on Python 3.11 can leave a lock of the connection pool held for good,
        and every later operation of the process then hangs. PyMongo ends it on time itself."""
        ping = asyncio.ensure_future(self._ping(timeout_s))
        ping.add_done_callback(_consume_outcome)  # read even when the caller gave up
        await asyncio.shield(ping)

    async def _ping(self, timeout_s: float | None) -> None:
        with pymongo.timeout(timeout_s):
            await self.client.admin.command("ping")

    async def close(self) -> None:
        await self.client.close()


def _consume_outcome(task: asyncio.Future[None]) -> None:
    if not task.cancelled():
        task.exception()
