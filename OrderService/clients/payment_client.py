"""PaymentService: charge an order, reimburse a cancelled one."""

from loguru import logger

from OrderService.business.errors import PaymentRefused
from OrderService.business.models import Order
from servicekit.http import ServiceClient, UpstreamRejected

SERVICE = "PaymentService"


def _is_final_refusal(error: UpstreamRejected) -> bool:
    """A refusal about this order that asking again will not change (an unknown customer, a
    request PaymentService finds invalid). A wrong key (401/403) or a wrong URL (another 404) is
    our configuration: retried, and loud in the log, instead of failing every order."""
    if error.status == 422:
        return True
    return error.status == 404 and "customer" in error.detail.lower()


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
            if _is_final_refusal(error):
                raise PaymentRefused(f"PaymentService refused the charge: {error.detail}") from None
            if error.status in (401, 403, 404):
                logger.error("Charge not accepted, check configuration: {}", error)
            raise

    async def reimburse(self, order: Order) -> None:
        await self._client.post(SERVICE, "/v1/payments/reimburse", _payment_body(order))
