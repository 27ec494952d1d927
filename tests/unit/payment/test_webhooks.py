"""The card company's callback route checks the Standard Webhooks signature before anything else:
each bad signature is a 401 that says why and changes nothing; a webhook-id processed before is
answered again without being applied. The real app over ASGI, its ports replaced by fakes."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import httpx
import pytest
import ujson

from PaymentService.bootstrap import PaymentPorts
from PaymentService.business.models import Payment, PaymentStatus
from PaymentService.settings import PaymentSettings
from PaymentService.web import app as payment_app
from servicekit import service as service_factory
from servicekit.settings import load_settings
from servicekit.webhooks import WebhookSigner, new_webhook_secret
from tests.conftest import TEST_API_KEY, TEST_WEBHOOK_SECRET
from tests.unit.payment.conftest import CALLBACK_URL
from tests.unit.payment.fakes import FakeProcessedWebhooks

PATH = "/v1/payments/callback"
SIGNER = WebhookSigner(TEST_WEBHOOK_SECRET)


@pytest.fixture
def processed() -> FakeProcessedWebhooks:
    return FakeProcessedWebhooks()


@pytest.fixture
async def http(
    monkeypatch, payments, customers, card_company, processed
) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.setattr(service_factory, "setup_logging", lambda *args, **kwargs: None)
    settings = load_settings(
        PaymentSettings,
        _env_file=None,
        environment="test",
        service_api_key=TEST_API_KEY,
        card_webhook_secret=TEST_WEBHOOK_SECRET,
    )
    app = payment_app.create_app(settings)
    # What the lifespan would set, with fakes for the ports.
    app.state.infra = SimpleNamespace(settings=settings)
    app.state.ports = PaymentPorts(payments, customers, card_company, CALLBACK_URL, processed)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client


@pytest.fixture
async def payment(pay) -> Payment:
    return await pay()


def callback(payment: Payment, status: str = "paymentPaid") -> dict[str, str]:
    return {"status": status, "caller_id": payment.id, "transaction_id": str(uuid.uuid4())}


async def post(
    http: httpx.AsyncClient, body: bytes, headers: dict[str, str] | None = None
) -> httpx.Response:
    return await http.post(
        PATH, content=body, headers={"content-type": "application/json", **(headers or {})}
    )


def body_of(payload: dict[str, str]) -> bytes:
    return ujson.dumps(payload).encode()


def minutes_ago(minutes: float) -> datetime:
    return datetime.now(UTC) - timedelta(minutes=minutes)


async def assert_refused(answer: httpx.Response, detail: str, payments, payment, processed):
    assert answer.status_code == 401, answer.text
    assert answer.json() == {"detail": detail}
    assert (await payments.get(payment.id)).status == PaymentStatus.PENDING
    assert payments.events == [] and processed.ids == {}


async def test_a_signed_callback_is_applied_and_its_event_stored(
    http, payment, payments, processed
) -> None:
    body, headers = SIGNER.signed_json(callback(payment))
    answer = await post(http, body, headers)  # no X-API-Key: the signature is the proof
    assert answer.status_code == 201, answer.text
    assert answer.json()["event_published"] is True
    assert [event.routing_key for event in payments.events] == ["payment.paymentPaid"]
    assert processed.ids == {headers["webhook-id"]: payment.id}


async def test_an_unsigned_callback_is_401_even_with_our_api_key(
    http, payment, payments, processed
) -> None:
    answer = await post(http, body_of(callback(payment)), {"X-API-Key": TEST_API_KEY})
    await assert_refused(answer, "missing webhook signature headers", payments, payment, processed)


async def test_a_callback_missing_one_signature_header_is_401(
    http, payment, payments, processed
) -> None:
    body, headers = SIGNER.signed_json(callback(payment))
    del headers["webhook-timestamp"]
    answer = await post(http, body, headers)
    await assert_refused(answer, "missing webhook signature headers", payments, payment, processed)


async def test_a_callback_signed_with_another_secret_is_401(
    http, payment, payments, processed
) -> None:
    body, headers = WebhookSigner(new_webhook_secret()).signed_json(callback(payment))
    answer = await post(http, body, headers)
    await assert_refused(answer, "invalid signature", payments, payment, processed)


async def test_a_body_changed_after_signing_is_401(http, payment, payments, processed) -> None:
    signed = callback(payment, "paymentFailed")
    _, headers = SIGNER.signed_json(signed)
    tampered = body_of({**signed, "status": "paymentPaid"})
    answer = await post(http, tampered, headers)
    await assert_refused(answer, "invalid signature", payments, payment, processed)


@pytest.mark.parametrize("minutes", [5.5, 60, -5.5, -60], ids=["old", "older", "new", "newer"])
async def test_a_callback_signed_more_than_5_minutes_away_from_now_is_401(
    http, payment, payments, processed, minutes
) -> None:
    body = body_of(callback(payment))
    headers = SIGNER.headers(body, at=minutes_ago(minutes))
    answer = await post(http, body, headers)
    await assert_refused(answer, "timestamp too old or too new", payments, payment, processed)


async def test_a_callback_signed_4_minutes_ago_is_accepted(http, payment) -> None:
    body = body_of(callback(payment))
    answer = await post(http, body, SIGNER.headers(body, at=minutes_ago(4)))
    assert answer.status_code == 201, answer.text


@pytest.mark.parametrize(
    ("signature", "timestamp"),
    [
        ("garbage", None),  # no "v1," version
        ("v1,a,b", None),
        ("v1,@@not-base64@@", None),
        ("v2,c2lnbmF0dXJl", None),  # a version we do not know
        (None, "yesterday"),
    ],
)
async def test_a_malformed_signature_header_is_401_not_a_server_error(
    http, payment, payments, processed, signature, timestamp
) -> None:
    body, headers = SIGNER.signed_json(callback(payment))
    headers["webhook-signature"] = signature or headers["webhook-signature"]
    headers["webhook-timestamp"] = timestamp or headers["webhook-timestamp"]
    answer = await post(http, body, headers)
    assert answer.status_code == 401, answer.text
    assert payments.events == [] and processed.ids == {}


async def test_one_matching_signature_among_several_is_enough(http, payment) -> None:
    """A sender signs with the old and the new secret while the secret is rotated."""
    body = body_of(callback(payment))
    headers = SIGNER.headers(body)
    other = WebhookSigner(new_webhook_secret()).headers(body, headers["webhook-id"])
    headers["webhook-signature"] = f"{other['webhook-signature']} {headers['webhook-signature']}"
    assert (await post(http, body, headers)).status_code == 201


async def test_a_repeated_webhook_id_is_answered_again_and_publishes_nothing(
    http, payment, payments
) -> None:
    payload = callback(payment)
    body, headers = SIGNER.signed_json(payload)
    first = await post(http, body, headers)
    replay = await post(http, body, headers)  # the very same request again
    # The sender's retry: same message id, signed again at its own time.
    retry = await post(http, body, SIGNER.headers(body, headers["webhook-id"]))
    assert [first.status_code, replay.status_code, retry.status_code] == [201, 201, 201]
    assert first.json()["event_published"] is True
    assert replay.json() == retry.json() == {**first.json(), "event_published": False}
    assert len(payments.events) == 1


async def test_a_repeated_webhook_id_changes_nothing_even_when_the_rules_would(
    http, payment, payments, processed
) -> None:
    """The id alone decides: a message processed before is not looked at again."""
    body, headers = SIGNER.signed_json(callback(payment))
    processed.ids[headers["webhook-id"]] = payment.id  # processed by an earlier instance
    answer = await post(http, body, headers)
    assert answer.status_code == 201 and answer.json()["event_published"] is False
    assert (await payments.get(payment.id)).status == PaymentStatus.PENDING
    assert payments.events == []


async def test_a_signed_callback_with_an_invalid_body_is_422_and_changes_nothing(
    http, payment, payments, processed
) -> None:
    body, headers = SIGNER.signed_json({**callback(payment), "status": "maybe"})
    answer = await post(http, body, headers)
    assert answer.status_code == 422
    assert [error["loc"] for error in answer.json()["detail"]] == [["body", "status"]]
    not_json = b"{not json"
    answer = await post(http, not_json, SIGNER.headers(not_json))
    assert answer.status_code == 422
    assert payments.events == [] and processed.ids == {}


async def test_a_callback_for_an_unknown_caller_is_404_and_not_remembered(http, processed) -> None:
    body, headers = SIGNER.signed_json(
        {
            "status": "paymentPaid",
            "caller_id": str(uuid.uuid4()),
            "transaction_id": str(uuid.uuid4()),
        }
    )
    assert (await post(http, body, headers)).status_code == 404
    assert processed.ids == {}  # a retry once the payment exists is applied


async def test_other_routes_still_require_the_api_key(http) -> None:
    answer = await http.get(f"/v1/payments/{uuid.uuid4()}")
    assert answer.status_code == 401 and "X-API-Key" in answer.json()["detail"]
