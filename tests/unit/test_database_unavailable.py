"""MongoDB unreachable: a request answers 503 with Retry-After, a consumed message goes back to
its queue without spending a retry (its fake delivery and publisher, no servers), and a health
check that gives up on a ping does not cancel it."""

import asyncio
import uuid
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import APIRouter
from pymongo.errors import (
    AutoReconnect,
    DuplicateKeyError,
    NetworkTimeout,
    ServerSelectionTimeoutError,
)

from servicekit.broker import InboundMessage, ServiceQueue
from servicekit.broker.failures import DatabaseWait
from servicekit.broker.settlement import Settlement
from servicekit.mongo import MongoEngine, database_unavailable
from servicekit.web import create_service_app
from tests.in_memory_spans import RecordedSpans
from tests.unit.test_message_settlement import FakeDelivery, FakePublisher, body, consumed

KEY = "k" * 20
SELECTION_TIMEOUT = ServerSelectionTimeoutError(
    "127.0.0.1:27017: [Errno 111] Connection refused (configured timeouts: socketTimeoutMS: "
    "20000.0ms, connectTimeoutMS: 2000.0ms), Timeout: 2.0s, Topology Description: <...>"
)
router = APIRouter(prefix="/v1")


@router.get("/orders/{kind}")
async def read(kind: str) -> dict[str, str]:
    if kind == "unreachable":
        raise SELECTION_TIMEOUT
    if kind == "broken":
        raise AutoReconnect("connection closed")
    raise DuplicateKeyError("E11000 duplicate key")  # a bug, not an outage


@asynccontextmanager
async def no_lifespan(app):
    yield


def client() -> httpx.AsyncClient:
    app = create_service_app(
        "T", "test", "1", no_lifespan, router, [KEY], {}, database_retry_after_s=7
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://t", headers={"X-API-Key": KEY})


async def test_a_request_meeting_an_unreachable_database_answers_503_with_retry_after() -> None:
    async with client() as http:
        for kind in ("unreachable", "broken"):
            answer = await http.get(f"/v1/orders/{kind}")
            assert answer.status_code == 503, answer.text
            assert answer.headers["Retry-After"] == "7"
            assert answer.json() == {"detail": "the database is unavailable; try again later"}
        bug = await http.get("/v1/orders/duplicate")
        assert bug.status_code == 500  # other database errors are bugs, not outages


def test_outage_errors_are_recognised_through_their_causes() -> None:
    assert database_unavailable(NetworkTimeout("timed out"))
    try:
        try:
            raise SELECTION_TIMEOUT
        except ServerSelectionTimeoutError as error:
            raise RuntimeError("loading the order failed") from error
    except RuntimeError as wrapped:
        assert database_unavailable(wrapped)
    assert not database_unavailable(DuplicateKeyError("E11000"))
    assert not database_unavailable(RuntimeError("kitchen API answered 500"))


@pytest.fixture
def queue() -> ServiceQueue:
    return ServiceQueue(f"UnitQueue-{uuid.uuid4().hex[:8]}", ["order.*"], retry_delays_ms=(1, 2))


async def test_a_message_meeting_an_unreachable_database_goes_back_without_spending_a_retry(
    queue: ServiceQueue,
) -> None:
    calls = 0

    async def handler(message: InboundMessage) -> None:
        nonlocal calls
        calls += 1
        if calls <= 5:
            raise SELECTION_TIMEOUT

    publisher = FakePublisher(RecordedSpans().tracer)
    settlement = Settlement(publisher, queue, handler, DatabaseWait(max_pause_s=0.01))  # type: ignore[arg-type]
    delivery = FakeDelivery(body())
    for _ in range(5):  # more failures than the queue has retries
        await settlement.run(delivery)  # type: ignore[arg-type]
    assert delivery.settled == ["nack"] * 5  # given back to its queue each time
    assert publisher.forwarded == []  # no retry queue, no dead letter
    assert settlement.database_wait.waits == 5
    await settlement.run(delivery)  # type: ignore[arg-type]
    assert delivery.settled[-1] == "ack"
    assert settlement.database_wait.waits == 0
    assert consumed(queue, "retry") == 5
    assert consumed(queue, "dead_lettered") == 0


def test_messages_wait_longer_while_the_outage_lasts() -> None:
    wait = DatabaseWait(max_pause_s=2.0)
    delivery = FakeDelivery(body())
    pauses = [wait.pause_s(delivery, SELECTION_TIMEOUT) for _ in range(6)]  # type: ignore[arg-type]
    assert pauses == sorted(pauses) and pauses[0] < 0.5 and pauses[-1] == 2.0


async def test_a_ping_its_caller_gave_up_on_runs_to_its_end() -> None:
    engine = MongoEngine("mongodb://127.0.0.1:9", "unit", timeout_ms=100)  # never connects
    ended, cancelled = asyncio.Event(), []

    async def slow_ping(timeout_s: float | None) -> None:
        try:
            await asyncio.sleep(0.2)
        except asyncio.CancelledError:
            cancelled.append(timeout_s)
            raise
        ended.set()

    engine._ping = slow_ping  # type: ignore[method-assign]
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(engine.ping(1.0), 0.05)  # a health check's timeout
    await asyncio.wait_for(ended.wait(), 5)
    assert cancelled == []
    await engine.close()
