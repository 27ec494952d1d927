"""The card company: answers billing and reimbursement requests by calling PaymentService back
with callbacks it signs (Standard Webhooks)."""

import uuid
from typing import Any

import httpx

from servicekit.webhooks import WebhookSigner
from simulator.parties.calls import Poll, Timeout, client, send


class CardCompany:
    """Answers billing and reimbursement requests by calling PaymentService back."""

    def __init__(self, payment_url: str, api_key: str, webhook_secret: str) -> None:
        self.http = client(payment_url, api_key)  # the key only to look the payments up
        self.signer = WebhookSigner(webhook_secret)

    async def payment(self, order_id: str) -> dict[str, Any] | None:
        answer = await send(self.http, "GET", f"/v1/payments/{order_id}")
        return answer.json() if answer.status_code == 200 else None

    async def wait_for_payment(
        self, order_id: str, *statuses: str, timeout_s: float = 30.0
    ) -> dict[str, Any]:
        """Wait until the payment is in one of `statuses` and the request for it reached us
        (its transaction id is stored), as a real card company would."""
        poll = Poll(timeout_s)
        while True:
            payment = await self.payment(order_id)
            if payment is not None and payment["status"] in statuses and _requested(payment):
                return payment
            if poll.expired:
                raise Timeout(f"payment of {order_id} is {payment and payment['status']}")
            await poll.wait()

    async def answer(self, order_id: str, status: str, timeout_s: float = 30.0) -> httpx.Response:
        """Send the result for the order's billing (paymentPaid/paymentFailed) or refund, once
        the request for it has come (waiting up to `timeout_s`: after an outage the charge or
        the refund comes later, the way a real card company would simply get it later)."""
        waiting_for = "reimbursementPending" if status == "reimbursed" else "pending"
        payment = await self.wait_for_payment(order_id, waiting_for, timeout_s=timeout_s)
        result = {
            "status": status,
            "caller_id": payment["payment_id"],
            "transaction_id": str(uuid.uuid4()),
        }
        # Signed once: `send` repeats the same message (webhook-id) for at most RIDE_OUT_S, well
        # within the 5 minutes a signature is good for.
        body, headers = self.signer.signed_json(result)
        return await send(self.http, "POST", "/v1/payments/callback", content=body, headers=headers)

    async def close(self) -> None:
        await self.http.aclose()


def _requested(payment: dict[str, Any]) -> bool:
    if payment["status"] == "reimbursementPending":
        return bool(payment.get("reimbursement_transaction_id"))
    return True
