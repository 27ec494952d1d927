"""CustomerService: the customer's delivery address with its coordinates."""

from typing import Any
from urllib.parse import quote

from servicekit.http import ServiceClient, UpstreamError

SERVICE = "CustomerService"
ADDRESS_FIELDS = ("name", "street", "zipcode", "city", "latitude", "longitude")


class HttpCustomerAddresses:
    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def address(self, customer_id: str) -> dict[str, Any]:
        """The address fields present in the answer; the business rules judge the coordinates."""
        answer = await self._client.get(
            SERVICE, f"/v1/customers/{quote(customer_id, safe='')}/address"
        )
        if not isinstance(answer, dict):
            raise UpstreamError(SERVICE, "address answer is not a JSON object")
        return {key: answer[key] for key in ADDRESS_FIELDS if key in answer}
