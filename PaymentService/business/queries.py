"""Reading a payment the rules cannot do without."""

from PaymentService.business.errors import PaymentNotFound
from PaymentService.business.models import Payment
from PaymentService.business.ports import Payments


async def payment_of_order(order_id: str, payments: Payments) -> Payment:
    """The order's payment; PaymentNotFound when it has none."""
    payment = await payments.find_one(order_id=order_id)
    if payment is None:
        raise PaymentNotFound(f"no payment for order {order_id}")
    return payment
