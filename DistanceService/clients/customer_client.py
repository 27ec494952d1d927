"""CustomerService: the customer's delivery address, with its coordinates when the company
gives them (its original contract has none; our mock adds them as optional fields)."""

from typing import Any
from urllib.parse import quote

from DistanceService.business.errors import CustomerUnknown
from servicekit.http import ServiceClient, UpstreamError, UpstreamRejected

SERVICE = "CustomerService"
ADDRESS_FIELDS = ("name", "street", "zipcode", "city", "latitude", "longitude")


class HttpCustomerAddresses:
    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def address(self, customer_id: str) -> dict[str, Any]:
        """The address fields present in the answer; the business rules judge the coordinates."""
        try:
            answer = await self._client.get(
                SERVICE, f"/v1/customers/{quote(customer_id, safe='')}/address"
            )
        except UpstreamRejected as error:
            if error.status == 404:
                raise CustomerUnknown(f"customer {customer_id}: {error.detail}") from None
            raise
        if not isinstance(answer, dict):
            raise UpstreamError(SERVICE, "address answer is not a JSON object")
        return {key: answer[key] for key in ADDRESS_FIELDS if key in answer}
