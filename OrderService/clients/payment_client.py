"""PaymentService: charge an order, reimburse a cancelled one."""

from OrderService.business.errors import PaymentRefused
from OrderService.business.models import Order
from servicekit.http import ServiceClient, UpstreamRejected

SERVICE = "PaymentService"
# Answers that will not change if we ask again; anything else (5xx, 408, 429, no answer) may.
_FINAL_REFUSALS = frozenset({400, 401, 403, 404, 409, 422})


def _payment_body(order: Order) -> dict:
    return {
        "metadata": {
            "receiver": "OrderService",
            "order_id": order.id,
            "customer_id": order.customer_id,
        },
        "items": order.items,
    }


class HttpPayments:
    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def charge(self, order: Order) -> None:
        try:
            await self._client.post(SERVICE, "/v1/payments", _payment_body(order))
        except UpstreamRejected as error:
            if error.status in _FINAL_REFUSALS:
                raise PaymentRefused(f"PaymentService refused the charge: {error.detail}") from None
            raise

    async def reimburse(self, order: Order) -> None:
        await self._client.post(SERVICE, "/v1/payments/reimburse", _payment_body(order))
