"""The card company's webhook secret as a setting (required, `whsec_<base64>`, from a secret file
too) and the one signer the simulator, tests, benchmark and ops use."""

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import ujson
from standardwebhooks import Webhook, WebhookVerificationError

from PaymentService.settings import PaymentSettings
from PaymentService.web.schemas import CallbackRequest
from PaymentService.web.webhooks import EXAMPLE
from servicekit.settings import ConfigError, load_settings
from servicekit.webhooks import WebhookSigner, new_webhook_secret, secret_key
from tests.conftest import TEST_API_KEY, TEST_WEBHOOK_SECRET

ROOT = Path(__file__).resolve().parents[2]


def payment_settings(**values: object) -> PaymentSettings:
    values = {"service_api_key": TEST_API_KEY, **values}
    return load_settings(PaymentSettings, _env_file=None, **values)


def env_example_value(name: str) -> str:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return next(line.split("=", 1)[1] for line in lines if line.startswith(f"{name}="))


def test_payment_service_does_not_start_without_the_webhook_secret(monkeypatch) -> None:
    monkeypatch.delenv("CARD_WEBHOOK_SECRET", raising=False)
    with pytest.raises(ConfigError, match="CARD_WEBHOOK_SECRET: is required"):
        payment_settings()


@pytest.mark.parametrize(
    ("secret", "why"),
    [
        ("dGVzdC1jYXJkLXdlYmhvb2stc2VjcmV0LTAxMjM0NTY3ODk=", "must be whsec_"),
        ("whsec_not base64!", "not valid base64"),
        ("whsec_c2hvcnQ=", "at least 24 bytes"),
        ("whsec_", "at least 24 bytes"),
    ],
    ids=["no prefix", "not base64", "short", "empty"],
)
def test_a_malformed_webhook_secret_stops_the_service_saying_why(secret: str, why: str) -> None:
    with pytest.raises(ConfigError, match="CARD_WEBHOOK_SECRET") as refused:
        payment_settings(card_webhook_secret=secret)
    assert why in str(refused.value)
    assert secret not in str(refused.value) or secret == "whsec_"  # the secret is not echoed


def test_the_webhook_secret_is_read_from_a_secret_file(tmp_path: Path) -> None:
    secret = new_webhook_secret()
    (tmp_path / "CARD_WEBHOOK_SECRET").write_text(secret)
    settings = load_settings(
        PaymentSettings, _env_file=None, _secrets_dir=tmp_path, service_api_key=TEST_API_KEY
    )
    assert settings.card_webhook_secret.get_secret_value() == secret


def test_the_development_secret_is_valid_but_refused_in_production() -> None:
    development = env_example_value("CARD_WEBHOOK_SECRET")
    assert payment_settings(card_webhook_secret=development).card_webhook_secret
    with pytest.raises(ConfigError, match="development secret"):
        payment_settings(
            card_webhook_secret=development,
            environment="production",
            service_api_key="a-production-key-0123456789",
        )


def test_new_secrets_are_valid_and_different() -> None:
    first, second = new_webhook_secret(), new_webhook_secret()
    assert first != second and len(secret_key(first)) == 32


def test_signed_headers_verify_with_the_standard_webhooks_package() -> None:
    body = b'{"status":"paymentPaid"}'
    headers = WebhookSigner(TEST_WEBHOOK_SECRET).headers(body, "msg_1")
    assert headers["webhook-id"] == "msg_1"
    assert headers["webhook-signature"].startswith("v1,")
    Webhook(TEST_WEBHOOK_SECRET).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_webhook_secret()).verify(body, headers)


def test_a_time_in_another_zone_is_signed_as_the_same_instant() -> None:
    """The package reads any datetime as UTC: the signer converts it first."""
    stockholm = timezone(timedelta(hours=1))
    at = datetime.now(stockholm)
    headers = WebhookSigner(TEST_WEBHOOK_SECRET).headers(b"{}", at=at)
    assert int(headers["webhook-timestamp"]) == int(at.astimezone(UTC).timestamp())
    Webhook(TEST_WEBHOOK_SECRET).verify(b"{}", headers)  # within 5 minutes of now


def test_signed_json_sends_exactly_the_signed_bytes() -> None:
    body, headers = WebhookSigner(TEST_WEBHOOK_SECRET).signed_json({"a": 1})
    assert headers["content-type"] == "application/json"
    assert Webhook(TEST_WEBHOOK_SECRET).verify(body, headers) == {"a": 1}


def test_the_documented_example_is_signed_with_the_development_secret() -> None:
    example = CallbackRequest.model_json_schema()["examples"][0]
    fields = ("status", "caller_id", "transaction_id")  # in the order the card company sends
    body = ujson.dumps({name: example[name] for name in fields}).encode()
    at = datetime.fromtimestamp(int(EXAMPLE["webhook-timestamp"]), UTC)
    signer = WebhookSigner(env_example_value("CARD_WEBHOOK_SECRET"))
    assert signer.headers(body, EXAMPLE["webhook-id"], at) == EXAMPLE
    assert body.decode() in (ROOT / "mocks" / "creditcard.yaml").read_text()
    assert EXAMPLE["webhook-signature"] in (ROOT / "mocks" / "creditcard.yaml").read_text()
