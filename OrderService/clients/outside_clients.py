"""The outside companies OrderService books with: customers, deliveries and the kitchen, each in
that company's own contract (contracts/original/); what our mocks add (coordinates, the
Idempotency-Key header, the delivery cancel) is optional."""

from typing import Any

from OrderService.business.models import Order
from servicekit.http import ServiceClient, UpstreamError, UpstreamRejected

REQUIRED_ADDRESS_FIELDS = ("name", "street", "zipcode", "city")
ADDRESS_FIELDS = (*REQUIRED_ADDRESS_FIELDS, "latitude", "longitude")
# One booking per order and kind: a booking retried after a crash or a lost answer (the
# event is redelivered) is recognised by a company that honours the key and not made twice.
IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
RECEIVER = "OrderService"  # `metadata.receiver` in the companies' contracts: who is asking
# Answers to the cancel that mean the company offers no cancel for this booking.
NO_CANCEL_STATUSES = (404, 405, 501)


class HttpCustomers:
    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def address(self, customer_id: str) -> dict[str, Any]:
        answer = await self._client.get("CustomerService", f"/v1/customers/{customer_id}/address")
        if not isinstance(answer, dict) or any(k not in answer for k in REQUIRED_ADDRESS_FIELDS):
            raise UpstreamError("CustomerService", "address answer lacks fields")
        return {key: answer[key] for key in ADDRESS_FIELDS if key in answer}


class HttpDeliveries:
    def __init__(self, client: ServiceClient, can_cancel: bool) -> None:
        self._client = client
        self._can_cancel = can_cancel

    async def book(self, order: Order, address: dict[str, Any]) -> str:
        answer = await self._client.post(
            "DeliveryService",
            "/v1/deliveries",
            {"items": order.items, "metadata": _metadata(order), "address": address},
            headers={IDEMPOTENCY_KEY_HEADER: f"delivery-{order.id}"},
        )
        return _id_from(answer, "delivery_id", "DeliveryService")

    async def cancel(self, delivery_id: str) -> str | None:
        """None when cancelled; why not when the company offers no cancel for it."""
        if not self._can_cancel:
            return "DeliveryService offers no cancel endpoint (DELIVERY_CAN_CANCEL=false)"
        try:
            await self._client.post("DeliveryService", f"/v1/deliveries/{delivery_id}/cancel")
        except UpstreamRejected as error:
            if error.status not in NO_CANCEL_STATUSES:
                raise
            return f"DeliveryService answered the cancel with {error.status}: {error.detail}"
        return None


class HttpKitchen:
    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def book(self, order: Order) -> str:
        answer = await self._client.post(
            "KitchenService",
            "/v1/kitchen",
            {"items": order.items, "metadata": _metadata(order)},
            headers={IDEMPOTENCY_KEY_HEADER: f"kitchen-{order.id}"},
        )
        return _id_from(answer, "kitchen_id", "KitchenService")


def _metadata(order: Order) -> dict[str, str]:
    return {"receiver": RECEIVER, "order_id": order.id, "customer_id": order.customer_id}


def _id_from(answer: Any, key: str, service: str) -> str:
    try:
        return str(answer[key])
    except (KeyError, TypeError):
        raise UpstreamError(service, f"answer has no {key}") from None
