"""Send the card company's result for an order's payment, signed as the card company signs it
(Standard Webhooks, with CARD_WEBHOOK_SECRET): paymentPaid or paymentFailed for the billing,
reimbursed for a refund.

The payment's caller_id is read from PaymentService (GET /v1/payments/<order_id>, with
SERVICE_API_KEY). With --curl nothing is sent: a curl command that sends the same signed
callback is printed instead (PaymentService accepts it for 5 minutes). Exit status 0 when
PaymentService accepted the callback (201), 1 when it answered otherwise, 2 for bad settings.
"""

import argparse
import shlex
import uuid

import httpx

from ops.common import fail, run, show
from servicekit.http import API_KEY_HEADER
from servicekit.settings import ConfigError, load_settings
from servicekit.webhooks import CardWebhookSettings, WebhookSigner

PATH = "/v1/payments/callback"


def parse(argv: list[str] | None, settings: CardWebhookSettings) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ops.card_callback", description=__doc__)
    parser.add_argument("order_id")
    parser.add_argument("status", choices=["paymentPaid", "paymentFailed", "reimbursed"])
    parser.add_argument(
        "--payment-url",
        default=settings.service_urls.get("PaymentService", "http://127.0.0.1:8001"),
        help="PaymentService's base URL (default from SERVICE_URLS)",
    )
    parser.add_argument("--transaction-id", help="the card company's id (default: a new one)")
    parser.add_argument(
        "--webhook-id", help="the message id (default: a new one; repeat one to replay it)"
    )
    parser.add_argument("--curl", action="store_true", help="print a curl command, send nothing")
    return parser.parse_args(argv)


def card_settings() -> CardWebhookSettings:
    try:
        return load_settings(CardWebhookSettings, service_name="ops")
    except ConfigError as error:
        fail(str(error), code=2)


def curl(url: str, body: bytes, headers: dict[str, str]) -> str:
    lines = [f"curl -sS -X POST {shlex.quote(url)}"]
    lines += [f"-H {shlex.quote(f'{name}: {value}')}" for name, value in headers.items()]
    lines.append(f"--data-raw {shlex.quote(body.decode())}")
    return " \\\n  ".join(lines)


async def caller_id(http: httpx.AsyncClient, order_id: str) -> str:
    try:
        answer = await http.get(f"/v1/payments/{order_id}")
    except httpx.TransportError as error:
        fail(f"PaymentService is not reachable at {http.base_url} ({error!r}); is it running?")
    if answer.status_code != 200:
        fail(f"GET /v1/payments/{order_id} answered {answer.status_code}: {answer.text}")
    return answer.json()["payment_id"]


async def main(argv: list[str] | None = None) -> int:
    settings = card_settings()
    args = parse(argv, settings)
    signer = WebhookSigner(settings.card_webhook_secret.get_secret_value())
    key = {API_KEY_HEADER: settings.service_api_key.get_secret_value()}
    async with httpx.AsyncClient(base_url=args.payment_url, headers=key, timeout=10) as http:
        result = {
            "status": args.status,
            "caller_id": await caller_id(http, args.order_id),
            "transaction_id": args.transaction_id or str(uuid.uuid4()),
        }
        body, headers = signer.signed_json(result, args.webhook_id)
        if args.curl:
            print(curl(f"{args.payment_url.rstrip('/')}{PATH}", body, headers))
            return 0
        request = http.build_request("POST", PATH, content=body, headers=headers)
        del request.headers[API_KEY_HEADER]  # the signature alone proves it, as the card company's
        answer = await http.send(request)
    print(f"POST {PATH} ({args.status}, webhook-id {headers['webhook-id']}): {answer.status_code}")
    print(show(answer.content))
    return 0 if answer.status_code == 201 else 1


if __name__ == "__main__":
    run(main)
