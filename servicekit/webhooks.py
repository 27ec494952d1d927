"""Standard Webhooks signatures (`webhook-id`, `webhook-timestamp`, `webhook-signature`): the
secret's format, the setting that holds the card company's secret, and signing for whoever
plays the card company (simulator, tests, benchmark, ops). PaymentService verifies them.

The secret is written `whsec_<base64 of at least 24 random bytes>`, the format of the
`standardwebhooks` package and of the webhook senders that use it.
"""

import base64
import binascii
import secrets
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

import ujson
from pydantic import AfterValidator, SecretStr, model_validator
from standardwebhooks import Webhook

from servicekit.settings import ServiceSettings

SECRET_PREFIX = "whsec_"
MIN_KEY_BYTES = 24
ID, TIMESTAMP, SIGNATURE = "webhook-id", "webhook-timestamp", "webhook-signature"


def secret_key(secret: str) -> bytes:
    """The HMAC key in a `whsec_<base64>` secret; ValueError saying what is wrong with it."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError(f"must be {SECRET_PREFIX}<base64 key> (e.g. from new_webhook_secret())")
    try:
        # validate=True: the package's own decoding skips characters that are not base64, so a
        # mistyped secret would silently become another key.
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except binascii.Error:
        raise ValueError(f"the part after {SECRET_PREFIX} is not valid base64") from None
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the key must be at least {MIN_KEY_BYTES} bytes, not {len(key)}")
    return key


def _valid_secret(value: SecretStr) -> SecretStr:
    secret_key(value.get_secret_value())
    return value


WebhookSecret = Annotated[SecretStr, AfterValidator(_valid_secret)]


def new_webhook_secret() -> str:
    """A fresh secret in the `whsec_` format (32 random bytes)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


class CardWebhookSettings(ServiceSettings):
    """Settings of a party on either end of the card company's signed callbacks."""

    # The card company signs each callback with it (Standard Webhooks); required, no default.
    card_webhook_secret: WebhookSecret

    @model_validator(mode="after")
    def _no_development_secret_in_production(self) -> "CardWebhookSettings":
        key = secret_key(self.card_webhook_secret.get_secret_value())
        if self.environment == "production" and b"change-me" in key:
            raise ValueError("CARD_WEBHOOK_SECRET is still the development secret (.env.example)")
        return self


class WebhookSigner:
    """Signs bodies the Standard Webhooks way, as the card company does."""

    def __init__(self, secret: str) -> None:
        self._webhook = Webhook(secret_key(secret))

    def headers(
        self, body: bytes, message_id: str | None = None, at: datetime | None = None
    ) -> dict[str, str]:
        """The three headers that prove `body` comes from the secret's holder. A message sent
        again keeps its `message_id`; `at` (default now) is when this attempt is sent."""
        message_id = message_id or f"msg_{uuid.uuid4().hex}"
        # The package reads the time as UTC whatever its zone: convert, never relabel.
        at = (at or datetime.now(UTC)).astimezone(UTC)
        signature = self._webhook.sign(message_id, at, body.decode())
        return {ID: message_id, TIMESTAMP: str(int(at.timestamp())), SIGNATURE: signature}

    def signed_json(
        self, payload: Any, message_id: str | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """`payload` as the exact JSON bytes to send, and the headers to send with them."""
        body = ujson.dumps(payload).encode()
        return body, {"content-type": "application/json", **self.headers(body, message_id)}
