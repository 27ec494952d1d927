"""PaymentService as a real process on the real stack and the Prism mocks."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aio_pika
import pytest
import ujson
from aiohttp import web

from devstack.parts import Prism, ServiceProcess
from devstack.stack import Stack
from servicekit.mongo import MongoEngine
from servicekit.outbox import PENDING, count_pending
from servicekit.service_urls import ServiceUrlCache
from servicekit.settings import ServiceSettings
from tests.integration.conftest import free_port, private_rabbitmq, wait_for
from tests.integration.metrics import scrape, total
from tests.integration.services import (
    EventWatcher,
    api,
    post_callback,
    service_env,
    start_service,
    watch_events,
)

pytestmark = pytest.mark.integration
ITEMS = [{"product": "Lasagna", "quantity": 2}, {"product": "Double Cheeseburger", "quantity": 1}]


def payment_body(order_id: str | None = None) -> dict:
    return {
        "metadata": {
            "receiver": "OrderService",
            "order_id": order_id or str(uuid.uuid4()),
            "customer_id": str(uuid.uuid4()),
        },
        "items": [dict(item) for item in ITEMS],
    }


@pytest.fixture(scope="module")
def exchange() -> str:
    return f"test-payments-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def payment_service(
    settings: ServiceSettings, exchange: str, service_urls, tmp_path_factory
) -> Iterator[ServiceProcess]:
    stack, part = start_service(
        "PaymentService", tmp_path_factory.mktemp("pay"), service_env(settings, exchange)
    )
    yield part
    stack.down()


@pytest.fixture
async def events(settings: ServiceSettings, exchange: str) -> AsyncIterator[EventWatcher]:
    async with watch_events(settings.rabbit_url, exchange, "payment.*") as watcher:
        yield watcher


async def pay_and_confirm(service: ServiceProcess, status: str = "paymentPaid") -> tuple[str, str]:
    body = payment_body()
    async with api(service) as client:
        answer = await client.post("/v1/payments", json=body)
        assert answer.status_code == 202, answer.text
        payment_id = answer.json()["payment_id"]
        callback = {"status": status, "caller_id": payment_id, "transaction_id": str(uuid.uuid4())}
        answer = await post_callback(client, callback)
        assert answer.status_code == 201, answer.text
    return body["metadata"]["order_id"], payment_id


async def test_pay_then_paid_callback_publishes_exactly_one_payment_paid(
    payment_service: ServiceProcess, events: EventWatcher, mongo: MongoEngine, exchange: str
) -> None:
    order_id, payment_id = await pay_and_confirm(payment_service)
    received = await events.wait_for(1)
    routing_key, body = received[0]
    assert routing_key == "payment.paymentPaid"
    assert body["status"] == "paymentPaid"
    assert body["metadata"]["order_id"] == order_id
    assert body["metadata"]["receiver"] == "OrderService"
    assert body["message_id"] and body["sent_at"]
    stored = await mongo.db.payments.find_one({"_id": payment_id})
    assert stored["status"] == "paid" and stored["amount"] > 0
    assert "card_number" not in str(stored)  # only the last four digits are kept
    await all_published(events, mongo, exchange)
    assert events.for_order(order_id) == ["payment.paymentPaid"]


async def _no_pending_outbox(mongo: MongoEngine, exchange: str) -> bool:
    """Nothing of this module's PaymentService left unsent (other modules' services have
    records of their own in the same database)."""
    return await count_pending(mongo.db.payments, [f"PaymentService@{exchange}"]) == 0


async def all_published(events: EventWatcher, mongo: MongoEngine, exchange: str) -> None:
    """Wait until this module's PaymentService has published every event it stored, then take
    them all: a test that stops at the first event it expects never sees a second one."""
    await wait_for(
        lambda: _no_pending_outbox(mongo, exchange), timeout_s=30, what="the outbox to be empty"
    )
    await events.drain()  # published with the broker's confirm: already in the queue


async def test_failed_callback_publishes_payment_failed(
    payment_service: ServiceProcess, events: EventWatcher, mongo: MongoEngine, exchange: str
) -> None:
    order_id, _ = await pay_and_confirm(payment_service, "paymentFailed")
    await events.wait_for(1)
    await all_published(events, mongo, exchange)
    assert events.for_order(order_id) == ["payment.paymentFailed"]


async def test_reimburse_then_reimbursed_callback_publishes_one_reimbursed(
    payment_service: ServiceProcess, events: EventWatcher, mongo: MongoEngine, exchange: str
) -> None:
    order_id, payment_id = await pay_and_confirm(payment_service)
    async with api(payment_service) as client:
        body = payment_body(order_id)
        answer = await client.post("/v1/payments/reimburse", json=body)
        assert answer.status_code == 202, answer.text
        assert answer.json()["payment_status"] == "reimbursementPending"
        again = await client.post("/v1/payments/reimburse", json=body)
        assert again.status_code == 202
        callback = {
            "status": "reimbursed",
            "caller_id": payment_id,
            "transaction_id": str(uuid.uuid4()),
        }
        assert (await post_callback(client, callback)).status_code == 201
    await events.wait_for(2)
    await all_published(events, mongo, exchange)
    assert events.for_order(order_id) == ["payment.paymentPaid", "payment.reimbursed"]


async def test_duplicate_callback_publishes_no_second_event(
    payment_service: ServiceProcess, events: EventWatcher, mongo: MongoEngine, exchange: str
) -> None:
    order_id, payment_id = await pay_and_confirm(payment_service)
    async with api(payment_service) as client:
        callback = {
            "status": "paymentPaid",
            "caller_id": payment_id,
            "transaction_id": str(uuid.uuid4()),
        }
        answer = await post_callback(client, callback)
    assert answer.status_code == 201
    assert answer.json()["event_published"] is False
    await events.wait_for(1)
    await all_published(events, mongo, exchange)
    assert events.for_order(order_id) == ["payment.paymentPaid"]


def callbacks_counted(texts: list[str]) -> list[float]:
    return [
        total(texts, "payment_callbacks_total", status="paymentPaid", duplicate=duplicate)
        for duplicate in ("false", "true")
    ]


async def test_metrics_count_callbacks_by_status_and_whether_a_duplicate(
    payment_service: ServiceProcess,
) -> None:
    before = callbacks_counted(await scrape([payment_service]))
    _, payment_id = await pay_and_confirm(payment_service)
    async with api(payment_service) as client:
        again = str(uuid.uuid4())  # the same result with another transaction: a duplicate
        callback = {"status": "paymentPaid", "caller_id": payment_id, "transaction_id": again}
        assert (await post_callback(client, callback)).status_code == 201
    after = callbacks_counted(await scrape([payment_service]))
    assert after == [before[0] + 1, before[1] + 1]


async def test_repeated_payment_request_answers_202_and_charges_once(
    payment_service: ServiceProcess, mongo: MongoEngine
) -> None:
    body = payment_body()
    async with api(payment_service) as client:
        first = await client.post("/v1/payments", json=body)
        second = await client.post("/v1/payments", json=body)
    assert first.status_code == second.status_code == 202
    assert first.json()["payment_id"] == second.json()["payment_id"]
    order_id = body["metadata"]["order_id"]
    assert await mongo.db.payments.count_documents({"order_id": order_id}) == 1


async def test_callback_for_unknown_caller_id_is_404(payment_service: ServiceProcess) -> None:
    async with api(payment_service) as client:
        answer = await post_callback(
            client,
            {
                "status": "paymentPaid",
                "caller_id": str(uuid.uuid4()),
                "transaction_id": str(uuid.uuid4()),
            },
        )
    assert answer.status_code == 404
    assert "caller_id" in answer.json()["detail"]


async def test_contradicting_callback_is_409(
    payment_service: ServiceProcess, events: EventWatcher, mongo: MongoEngine, exchange: str
) -> None:
    order_id, payment_id = await pay_and_confirm(payment_service, "paymentFailed")
    async with api(payment_service) as client:
        callback = {
            "status": "paymentPaid",
            "caller_id": payment_id,
            "transaction_id": str(uuid.uuid4()),
        }
        answer = await post_callback(client, callback)
    assert answer.status_code == 409
    assert "failed" in answer.json()["detail"]
    await events.wait_for(1)
    await all_published(events, mongo, exchange)
    assert events.for_order(order_id) == ["payment.paymentFailed"]


async def test_reimbursing_an_unpaid_order_is_409_and_unknown_is_404(
    payment_service: ServiceProcess,
) -> None:
    body = payment_body()
    async with api(payment_service) as client:
        assert (await client.post("/v1/payments", json=body)).status_code == 202
        assert (await client.post("/v1/payments/reimburse", json=body)).status_code == 409
        assert (await client.post("/v1/payments/reimburse", json=payment_body())).status_code == 404


@pytest.mark.parametrize("key", [None, "wrong-key-0123456789"])
async def test_wrong_or_missing_api_key_is_401(payment_service: ServiceProcess, key) -> None:
    """(The card company's callback is signed instead: test_payment_webhooks.py.)"""
    async with api(payment_service, key=key) as client:
        for path in ("/v1/payments", "/v1/payments/reimburse"):
            answer = await client.post(path, json=payment_body())
            assert answer.status_code == 401, path
            assert "X-API-Key" in answer.json()["detail"]


@pytest.mark.parametrize(
    "mutate",
    [
        lambda b: b["items"][0].update(product="Pizza"),
        lambda b: b["items"][0].update(quantity=0),
        lambda b: b["metadata"].update(order_id="not-a-uuid"),
        lambda b: b.update(unexpected=True),
        lambda b: b.update(items=[]),
    ],
)
async def test_bad_payment_request_is_422_with_the_field(payment_service, mutate) -> None:
    body = payment_body()
    mutate(body)
    async with api(payment_service) as client:
        answer = await client.post("/v1/payments", json=body)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][0] == "body"


async def test_non_json_body_is_422_not_500(payment_service: ServiceProcess) -> None:
    async with api(payment_service) as client:
        answer = await client.post(
            "/v1/payments", content=b"{not json", headers={"Content-Type": "application/json"}
        )
    assert answer.status_code == 422


async def test_health_reports_every_resource(payment_service: ServiceProcess) -> None:
    async with api(payment_service, key=None) as client:
        report = (await client.get("/health")).json()
        ready = await client.get("/health/ready")
        live = await client.get("/health/live")
        docs = await client.get("/openapi.json")
    assert report["service"] == "PaymentService"
    assert report["status"] == "pass"
    assert set(report["checks"]) == {
        "mongodb",
        "rabbitmq",
        "redis",
        "outbox-relay",
        "CustomerService",
        "CreditCardService",
    }
    assert ready.status_code == live.status_code == 200
    assert {"/v1/payments", "/v1/payments/reimburse", "/v1/payments/callback"} <= set(
        docs.json()["paths"]
    )


async def test_card_company_down_gives_503_and_stores_nothing(
    payment_service: ServiceProcess,
    service_urls: ServiceUrlCache,
    mongo: MongoEngine,
    settings: ServiceSettings,
    private_state: Path,
) -> None:
    card_company = Prism(
        name="prism-card", port=free_port(), state=private_state, spec="creditcard.yaml"
    )
    mock = Stack([card_company], quiet=True)
    mock.up()
    await service_urls.register("CreditCardService", f"http://127.0.0.1:{card_company.port}")
    try:
        async with api(payment_service) as client:
            working = await client.post("/v1/payments", json=payment_body())
            assert working.status_code == 202, working.text
            mock.down()
            body = payment_body()
            answer = await client.post("/v1/payments", json=body)
        assert answer.status_code == 503
        assert "CreditCardService" in answer.json()["detail"]
        assert (
            await mongo.db.payments.count_documents({"order_id": body["metadata"]["order_id"]}) == 0
        )
    finally:
        mock.down()
        await service_urls.register("CreditCardService", settings.service_urls["CreditCardService"])


async def test_customer_service_answering_404_is_our_404_customer_not_found_and_stores_nothing(
    payment_service: ServiceProcess,
    service_urls: ServiceUrlCache,
    mongo: MongoEngine,
    settings: ServiceSettings,
) -> None:
    # The kitchen mock has no billing path: CustomerService "answers" 404 -> our 404 with reason.
    await service_urls.register("CustomerService", settings.service_urls["KitchenService"])
    try:
        body = payment_body()
        async with api(payment_service) as client:
            answer = await client.post("/v1/payments", json=body)
        assert answer.status_code == 404
        assert "not found" in answer.json()["detail"]
        assert (
            await mongo.db.payments.count_documents({"order_id": body["metadata"]["order_id"]}) == 0
        )
    finally:
        await service_urls.register("CustomerService", settings.service_urls["CustomerService"])


class OutsideParty:
    """A stand-in for an outside party on a free port of the test's own: it answers every
    request 500, or never answers at all (until the test ends)."""

    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.requests: list[str] = []
        self._release = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def _handle(self, request: web.Request) -> web.Response:
        self.requests.append(f"{request.method} {request.path}")
        if self.behaviour == "hang":
            await self._release.wait()
        return web.json_response({"detail": "stand-in failure"}, status=500)

    async def __aenter__(self) -> "OutsideParty":
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *_: object) -> None:
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()


# (outside party, its path PaymentService calls, what we store when it fails)
FAILING_PARTIES = [
    ("CustomerService", "/v1/customers/", None),  # billing data comes first: nothing stored
    ("CreditCardService", "/billings", "requested"),  # outcome unknown: kept for a retry
]


@pytest.mark.parametrize(("service", "path", "stored_status"), FAILING_PARTIES)
@pytest.mark.parametrize(("behaviour", "expected"), [("error", 502), ("hang", 504)])
async def test_outside_party_error_is_502_and_timeout_is_504(
    payment_service: ServiceProcess,
    service_urls: ServiceUrlCache,
    mongo: MongoEngine,
    settings: ServiceSettings,
    service: str,
    path: str,
    stored_status: str | None,
    behaviour: str,
    expected: int,
) -> None:
    async with OutsideParty(behaviour) as party:
        await service_urls.register(service, party.url)
        try:
            body = payment_body()
            async with api(payment_service) as client:  # waits longer than HTTP_TIMEOUT_S (5 s)
                answer = await client.post("/v1/payments", json=body)
        finally:
            await service_urls.register(service, settings.service_urls[service])
    assert [request for request in party.requests if path in request], party.requests
    assert answer.status_code == expected, answer.text
    assert service in answer.json()["detail"]
    stored = await mongo.db.payments.find_one({"order_id": body["metadata"]["order_id"]})
    assert (stored["status"] if stored else None) == stored_status


async def test_broker_down_during_callback_then_back_delivers_the_event_once(
    settings: ServiceSettings, service_urls, mongo: MongoEngine, private_state: Path
) -> None:
    broker = private_rabbitmq(private_state)
    broker_stack = Stack([broker], quiet=True)
    broker_stack.up()
    rabbit_url = f"amqp://guest:guest@127.0.0.1:{broker.port}/"
    exchange = "test-outage"
    env = service_env(settings, exchange, RABBIT_URL=rabbit_url)
    service_stack, service = start_service("PaymentService", private_state, env)
    try:
        async with watch_events(rabbit_url, exchange, "payment.*") as watcher:
            await watcher.drain()
        # The watcher's queue is gone; a durable queue of our own keeps events across the restart.
        body = payment_body()
        async with api(service) as client:
            answer = await client.post("/v1/payments", json=body)
            assert answer.status_code == 202
            payment_id = answer.json()["payment_id"]
            await _declare_durable_queue(rabbit_url, exchange, "outage-watch")

            broker_stack.down()
            callback = {
                "status": "paymentPaid",
                "caller_id": payment_id,
                "transaction_id": str(uuid.uuid4()),
            }
            answer = await post_callback(client, callback)
            assert answer.status_code == 201  # stored; the event waits in the outbox
            stored = await mongo.db.payments.find_one({"_id": payment_id})
            assert [event["routing_key"] for event in stored[PENDING]] == ["payment.paymentPaid"]

            broker_stack.up()
            await wait_for(
                lambda: _outbox_published(mongo, payment_id),
                timeout_s=60,
                what="the outbox to publish",
            )
        messages = await _read_all(rabbit_url, "outage-watch")
        assert [body["metadata"]["order_id"] for body in messages] == [body_order(body)]
    finally:
        service_stack.down()
        broker_stack.down()


def body_order(body: dict) -> str:
    return body["metadata"]["order_id"]


async def _outbox_published(mongo: MongoEngine, payment_id: str) -> bool:
    stored = await mongo.db.payments.find_one({"_id": payment_id})
    return PENDING not in stored


async def _declare_durable_queue(rabbit_url: str, exchange: str, name: str) -> None:
    connection = await aio_pika.connect(rabbit_url)
    channel = await connection.channel()
    queue = await channel.declare_queue(name, durable=True)
    await queue.bind(exchange, "payment.*")
    await connection.close()


async def _read_all(rabbit_url: str, name: str) -> list[dict]:
    connection = await aio_pika.connect(rabbit_url)
    channel = await connection.channel()
    queue = await channel.declare_queue(name, durable=True)
    bodies = []
    while (message := await queue.get(fail=False, no_ack=True)) is not None:
        bodies.append(ujson.loads(message.body))
    await connection.close()
    return bodies
