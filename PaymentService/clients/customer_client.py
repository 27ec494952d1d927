"""CustomerService: the amount and card data for a customer's items."""

from typing import Any

from PaymentService.business.errors import CustomerNotFound
from PaymentService.business.models import Billing
from servicekit.http import ServiceClient, UpstreamError, UpstreamRejected

SERVICE = "CustomerService"


class HttpCustomerBilling:
    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def billing(self, customer_id: str, items: list[dict[str, Any]]) -> Billing:
        try:
            answer = await self._client.post(
                SERVICE, f"/v1/customers/{customer_id}/billing", {"items": items}
            )
        except UpstreamRejected as error:
            if error.status == 404:
                raise CustomerNotFound(f"customer {customer_id} not found") from None
            raise
        try:
            return Billing(
                amount=float(answer["amount"]),
                currency=str(answer["currency"]),
                card=dict(answer["card"]),
            )
        except (KeyError, TypeError, ValueError):
            raise UpstreamError(SERVICE, "billing answer lacks amount, currency or card") from None
