"""The credit-card company: billing and reimbursement requests, answered later by callback."""

from PaymentService.business.errors import CardCompanyUnreachable
from PaymentService.business.models import Billing
from servicekit.http import ServiceClient, UpstreamError

SERVICE = "CreditCardService"


class HttpCardCompany:
    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def bill(self, caller_id: str, billing: Billing, callback_url: str) -> str:
        return await self._send("/billings", caller_id, billing, callback_url)

    async def reimburse(self, caller_id: str, billing: Billing, callback_url: str) -> str:
        return await self._send("/billings/reimburse", caller_id, billing, callback_url)

    async def _send(self, path: str, caller_id: str, billing: Billing, callback_url: str) -> str:
        body = {
            "caller_id": caller_id,
            "amount": billing.amount,
            "currency": billing.currency,
            "card": billing.card,
            "callback_url": callback_url,
        }
        try:
            answer = await self._client.post(SERVICE, path, body)
        except UpstreamError as error:
            if not error.reached:  # certain that nothing was charged or refunded
                raise CardCompanyUnreachable(str(error)) from None
            raise
        try:
            return str(answer["transaction_id"])
        except (KeyError, TypeError):
            raise UpstreamError(SERVICE, f"{path} answer has no transaction_id") from None
