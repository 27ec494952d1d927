"""PaymentService as a real process: the card company's callbacks must carry a valid Standard
Webhooks signature. Each bad one is a 401 that changes nothing and publishes nothing; a good one
is applied; a webhook-id sent again publishes nothing new."""

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import ujson

from devstack.parts import ServiceProcess
from PaymentService.business.models import Payment, PaymentStatus
from servicekit.clock import now_ms
from servicekit.mongo import MongoEngine
from servicekit.outbox import ATTEMPTS, DUE, PENDING, SOURCE, count_pending
from servicekit.settings import ServiceSettings
from servicekit.state_store import EntityCodec
from servicekit.webhooks import WebhookSigner, new_webhook_secret
from tests.integration.conftest import wait_for
from tests.integration.services import (
    CARD_COMPANY,
    EventWatcher,
    api,
    post_callback,
    service_env,
    start_service,
    watch_events,
)

pytestmark = pytest.mark.integration
PATH = "/v1/payments/callback"


@pytest.fixture(scope="module")
def exchange() -> str:
    return f"test-webhooks-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def payment_service(
    settings: ServiceSettings, exchange: str, service_urls, tmp_path_factory
) -> Iterator[ServiceProcess]:
    stack, part = start_service(
        "PaymentService", tmp_path_factory.mktemp("webhooks"), service_env(settings, exchange)
    )
    yield part
    stack.down()


@pytest.fixture
async def events(settings: ServiceSettings, exchange: str) -> AsyncIterator[EventWatcher]:
    async with watch_events(settings.rabbit_url, exchange, "payment.*") as watcher:
        yield watcher


async def pending_payment(mongo: MongoEngine) -> tuple[str, str]:
    """A payment waiting for the card company's result, stored as PaymentService stores one
    (the charge itself is tested in test_payment_service.py): (order_id, payment_id)."""
    now = now_ms()
    payment = Payment(
        id=str(uuid.uuid4()),
        order_id=str(uuid.uuid4()),
        customer_id=str(uuid.uuid4()),
        receiver="OrderService",
        status=PaymentStatus.PENDING,
        created_at=now,
        updated_at=now,
        amount=12.5,
        currency="EUR",
        card_last4="4242",
        transaction_id=str(uuid.uuid4()),
        history=[{"status": "requested", "at": now}, {"status": "pending", "at": now}],
    )
    await mongo.db.payments.insert_one({"version": 1, **EntityCodec(Payment).to_document(payment)})
    return payment.order_id, payment.id


def paid(payment_id: str) -> dict[str, str]:
    return {"status": "paymentPaid", "caller_id": payment_id, "transaction_id": str(uuid.uuid4())}


def bad_requests(payload: dict[str, Any]) -> dict[str, tuple[bytes, dict[str, str], str]]:
    """Each way a callback can fail the check: (body, headers, the 401's detail)."""
    body = ujson.dumps(payload).encode()
    now = datetime.now(UTC)
    tampered = ujson.dumps({**payload, "status": "paymentFailed"}).encode()
    return {
        "unsigned": (body, {}, "missing webhook signature headers"),
        "other secret": (
            body,
            WebhookSigner(new_webhook_secret()).headers(body),
            "invalid signature",
        ),
        "tampered body": (tampered, CARD_COMPANY.headers(body), "invalid signature"),
        "6 minutes old": (
            body,
            CARD_COMPANY.headers(body, at=now - timedelta(minutes=6)),
            "timestamp too old or too new",
        ),
        "6 minutes ahead": (
            body,
            CARD_COMPANY.headers(body, at=now + timedelta(minutes=6)),
            "timestamp too old or too new",
        ),
        "malformed signature": (
            body,
            {**CARD_COMPANY.headers(body), "webhook-signature": "not-a-signature"},
            "invalid signature",
        ),
    }


async def payment_state(mongo: MongoEngine, payment_id: str) -> dict[str, Any]:
    """The payment without its outbox bookkeeping (the relay clears that on its own)."""
    hidden = dict.fromkeys((PENDING, DUE, SOURCE, ATTEMPTS), 0)
    return await mongo.db.payments.find_one({"_id": payment_id}, hidden)


async def published_all(mongo: MongoEngine, exchange: str, events: EventWatcher) -> None:
    """Wait until this service has sent every event it stored, then take them."""
    sources = [f"PaymentService@{exchange}"]
    await wait_for(
        lambda: _nothing_pending(mongo, sources), timeout_s=30, what="the outbox to be empty"
    )
    await events.drain()


async def _nothing_pending(mongo: MongoEngine, sources: list[str]) -> bool:
    return await count_pending(mongo.db.payments, sources) == 0


async def test_bad_signatures_are_401_and_change_nothing_then_a_signed_callback_works_once(
    payment_service: ServiceProcess, events: EventWatcher, mongo: MongoEngine, exchange: str
) -> None:
    order_id, payment_id = await pending_payment(mongo)
    async with api(payment_service) as client:  # it sends our API key: not proof enough
        before = await mongo.db.payments.find_one({"_id": payment_id})
        payload = paid(payment_id)
        for case, (body, headers, detail) in bad_requests(payload).items():
            answer = await client.post(
                PATH, content=body, headers={"content-type": "application/json", **headers}
            )
            assert answer.status_code == 401, (case, answer.text)
            assert answer.json() == {"detail": detail}, case
            assert await mongo.db.payments.find_one({"_id": payment_id}) == before, case

        signed = await post_callback(client, payload, message_id=f"msg_{uuid.uuid4().hex}")
        assert signed.status_code == 201, signed.text
        assert signed.json()["event_published"] is True
        assert signed.json()["payment_status"] == "paid"
    await published_all(mongo, exchange, events)
    assert events.for_order(order_id) == ["payment.paymentPaid"]  # none from the bad ones


async def test_a_replayed_webhook_id_publishes_nothing_new(
    payment_service: ServiceProcess, events: EventWatcher, mongo: MongoEngine, exchange: str
) -> None:
    webhook_id = f"msg_{uuid.uuid4().hex}"
    order_id, payment_id = await pending_payment(mongo)
    async with api(payment_service, key=None) as client:
        payload = paid(payment_id)
        first = await post_callback(client, payload, webhook_id)
        stored = await payment_state(mongo, payment_id)
        again = await post_callback(client, payload, webhook_id)  # signed again, same id
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == {**first.json(), "event_published": False}
    assert await payment_state(mongo, payment_id) == stored
    remembered = await mongo.db.card_webhooks.find_one({"_id": webhook_id})
    assert remembered["caller_id"] == payment_id
    await published_all(mongo, exchange, events)
    assert events.for_order(order_id) == ["payment.paymentPaid"]


async def test_processed_webhook_ids_expire_after_two_days(
    payment_service: ServiceProcess, mongo: MongoEngine
) -> None:
    indexes = await mongo.db.card_webhooks.index_information()
    assert indexes["forget_after_two_days"]["expireAfterSeconds"] == 2 * 24 * 3600
    assert indexes["forget_after_two_days"]["key"] == [("at", 1)]
