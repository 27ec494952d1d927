"""The outside companies OrderService books with: customers, deliveries and the kitchen."""

from typing import Any

from OrderService.business.models import Order
from servicekit.http import ServiceClient, UpstreamError, UpstreamRejected

ADDRESS_FIELDS = ("name", "street", "zipcode", "city", "latitude", "longitude")
# One booking per order and kind: a booking retried after a crash or a lost answer (the
# event is redelivered) is recognised by the company and not made twice.
IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"


class HttpCustomers:
    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def address(self, customer_id: str) -> dict[str, Any]:
        answer = await self._client.get("CustomerService", f"/v1/customers/{customer_id}/address")
        try:
            return {key: answer[key] for key in ADDRESS_FIELDS}
        except (KeyError, TypeError):
            raise UpstreamError("CustomerService", "address answer lacks fields") from None


class HttpDeliveries:
    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def book(self, order: Order, address: dict[str, Any]) -> str:
        answer = await self._client.post(
            "DeliveryService",
            "/v1/deliveries",
            {"order_id": order.id, "customer_id": order.customer_id, "address": address},
            headers={IDEMPOTENCY_KEY_HEADER: f"delivery-{order.id}"},
        )
        return _id_from(answer, "delivery_id", "DeliveryService")

    async def cancel(self, delivery_id: str) -> None:
        try:
            await self._client.post("DeliveryService", f"/v1/deliveries/{delivery_id}/cancel")
        except UpstreamRejected as error:
            if error.status != 404:  # unknown booking: nothing left to cancel
                raise


class HttpKitchen:
    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def book(self, order: Order) -> str:
        answer = await self._client.post(
            "KitchenService",
            "/v1/kitchen/bookings",
            {"order_id": order.id, "customer_id": order.customer_id, "items": order.items},
            headers={IDEMPOTENCY_KEY_HEADER: f"kitchen-{order.id}"},
        )
        return _id_from(answer, "kitchen_id", "KitchenService")


def _id_from(answer: Any, key: str, service: str) -> str:
    try:
        return str(answer[key])
    except (KeyError, TypeError):
        raise UpstreamError(service, f"answer has no {key}") from None
