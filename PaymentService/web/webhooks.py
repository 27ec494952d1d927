"""The card company proves each callback with a Standard Webhooks signature, not with our API key:
a dependency reads the raw body once, checks the signature and its age (5 minutes either way,
the `standardwebhooks` package's tolerance), and hands the parsed callback on with its
webhook-id (`callbacks.apply_callback_once` applies each message once)."""

from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from loguru import logger
from pydantic import ValidationError
from standardwebhooks import Webhook, WebhookVerificationError

from PaymentService.web.schemas import CallbackRequest
from servicekit.openapi_responses import request_body_doc
from servicekit.webhooks import ID, SIGNATURE, TIMESTAMP, secret_key

MISSING = "missing webhook signature headers"
INVALID = "invalid signature"
OUT_OF_TIME = "timestamp too old or too new"
# The package's messages (standardwebhooks 1.1.0) as our answers; any other is INVALID.
_DETAILS = {
    "Missing required headers": MISSING,
    "Message timestamp too old": OUT_OF_TIME,
    "Message timestamp too new": OUT_OF_TIME,
    "Invalid Signature Headers": "webhook-timestamp is not a number of seconds",
}


@dataclass(frozen=True)
class SignedCallback:
    webhook_id: str
    callback: CallbackRequest


CALLBACK_BODY_DOC = request_body_doc(CallbackRequest)


@lru_cache(maxsize=4)
def _webhook(secret: str) -> Webhook:
    return Webhook(secret_key(secret))


def verify(secret: str, body: bytes, headers: dict[str, str]) -> str:
    """The webhook-id of a body signed with `secret` in the last 5 minutes; HTTPException 401
    saying what is wrong otherwise."""
    try:
        _webhook(secret).verify(body, headers, json_parse=False)
    except WebhookVerificationError as error:
        raise _refused(_DETAILS.get(str(error), INVALID)) from None
    except ValueError:  # a signature that is not "v1,<base64>", a body that is not UTF-8
        raise _refused(INVALID) from None
    return headers[ID]


def _refused(detail: str) -> HTTPException:
    logger.warning("Card company callback refused (401): {}", detail)
    return HTTPException(401, detail, headers={"WWW-Authenticate": "webhook-signature"})


# The example callback body (compact JSON) signed with .env.example's development secret.
EXAMPLE = {
    ID: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
    TIMESTAMP: "1764612000",
    SIGNATURE: "v1,UTq3E19qCATkTcaPC35UXA/LnXrI0VXVyl96QdncWpY=",
}


def _header(name: str, description: str) -> Any:
    """A signature header, declared for the OpenAPI document (the package checks them)."""
    return Header(alias=name, description=description, examples=[EXAMPLE[name]])


async def signed_callback(
    request: Request,
    webhook_id: Annotated[str | None, _header(ID, "Unique per message")] = None,
    webhook_timestamp: Annotated[
        str | None, _header(TIMESTAMP, "Unix seconds when it was sent")
    ] = None,
    webhook_signature: Annotated[
        str | None, _header(SIGNATURE, "v1,<base64 HMAC-SHA256 of id.timestamp.body>")
    ] = None,
) -> SignedCallback:
    """The callback in the body, once its signature is checked (401 first, then 422)."""
    secret = request.app.state.infra.settings.card_webhook_secret.get_secret_value()
    sent = {ID: webhook_id, TIMESTAMP: webhook_timestamp, SIGNATURE: webhook_signature}
    headers = {name: value for name, value in sent.items() if value is not None}
    body = await request.body()
    checked_id = verify(secret, body, headers)
    try:
        callback = CallbackRequest.model_validate_json(body)
    except ValidationError as error:
        raise RequestValidationError(
            [{**item, "loc": ("body", *item["loc"])} for item in error.errors(include_url=False)]
        ) from None
    return SignedCallback(checked_id, callback)
