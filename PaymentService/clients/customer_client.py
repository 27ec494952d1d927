"""CustomerService: the amount and card data for a customer's items, in that company's own
contract (contracts/original/customers.yaml) translated into our `Billing`."""

from typing import Any

from PaymentService.business.errors import CustomerNotFound
from PaymentService.business.models import Billing
from servicekit.http import ServiceClient, UpstreamError, UpstreamRejected

SERVICE = "CustomerService"
# The contract prices in euro ("Amount to pay in Euro") and names no currency field.
CURRENCY = "EUR"
# Our card fields (the card company's contract) from CustomerService's `billing_info`.
CARD_FIELDS = {
    "card_holder": "Name",
    "card_number": "CardNumber",
    "expiry_date": "Expiry",
    "cvc": "CVV",
}


class HttpCustomerBilling:
    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def billing(self, customer_id: str, items: list[dict[str, Any]]) -> Billing:
        try:
            answer = await self._client.post(SERVICE, f"/v1/customers/{customer_id}/billing", items)
        except UpstreamRejected as error:
            if error.status == 404:
                raise CustomerNotFound(f"customer {customer_id} not found") from None
            raise
        try:
            info = answer["billing_info"]
            card = {ours: str(info[theirs]) for ours, theirs in CARD_FIELDS.items()}
            return Billing(amount=float(answer["amount"]), currency=CURRENCY, card=card)
        except (KeyError, TypeError, ValueError):
            raise UpstreamError(SERVICE, "billing answer lacks amount or billing_info") from None
