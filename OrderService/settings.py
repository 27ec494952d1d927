"""OrderService's settings: the shared ones plus its port, cache lifetime, charge schedule and
when an order counts as stuck."""

from typing import Any

from pydantic import Field, PositiveFloat, field_validator

from OrderService.business.state_machine import FINAL, OrderStatus
from servicekit.settings import ServiceSettings

S = OrderStatus
# How long an order may stay in each status before it counts as stuck (seconds). Statuses that
# wait for an outside party (a driver, the restaurant, the ride) normally take long; the ones our
# own follow-up moves on (a booking, retried for about 36 s with RETRY_DELAYS_MS) take seconds.
STUCK_AFTER_S: dict[OrderStatus, float] = {
    # The card company answers within seconds; a charge that cannot be sent is retried (up to
    # CHARGE_MAX_ATTEMPTS, about 50 min) and counts as stuck meanwhile: PaymentService is down.
    S.CREATED: 120,
    S.PAYMENT_PAID: 60,  # the delivery is booked at once
    S.DELIVERY_SCHEDULED: 1800,  # the transport company finds a driver
    S.DRIVER_AVAILABLE: 60,  # the kitchen is booked at once
    S.COOKING_SCHEDULED: 1800,  # the restaurant starts cooking
    S.COOKING_MEAL: 3600,
    S.COOKING_DONE: 1800,  # the driver comes for the meal
    S.PICKED_UP: 3600,
    S.IN_TRANSIT: 7200,
    # Only a paid order waits in orderCancelled (for its reimbursement); an unpaid one has ended.
    S.ORDER_CANCELLED: 600,
}


class OrderSettings(ServiceSettings):
    service_name: str = "OrderService"
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    order_cache_ttl_s: int = Field(3600, ge=1)
    # How long a freshly placed order waits before the sweep may charge it (the request's own
    # background task charges it at once; the sweep is for what that could not send).
    # Longer than one charge attempt can take (HTTP timeouts included), so that the sweep never
    # sends a charge the request's own task is still sending.
    charge_grace_s: float = Field(30.0, ge=0)
    # A charge that cannot be sent this many times (about 50 min at 30 s apart) ends the order
    # in paymentFailed instead of leaving it `created` for ever.
    charge_max_attempts: int = Field(100, ge=1)
    # JSON object status -> seconds; a status left out keeps its default (STUCK_AFTER_S above).
    stuck_after_s: dict[OrderStatus, PositiveFloat] = Field(
        default_factory=lambda: dict(STUCK_AFTER_S)
    )
    # Whether the DeliveryService offers `POST /v1/deliveries/{id}/cancel` (our mock does; the
    # company's original contract does not). Without it a cancelled order keeps its booking,
    # says so in `delivery_not_cancelled`, and is reimbursed all the same.
    delivery_can_cancel: bool = True
    # How often the `orders_stuck` gauge is counted anew.
    stuck_check_interval_s: float = Field(15.0, gt=0)

    @field_validator("stuck_after_s", mode="before")
    @classmethod
    def _over_the_defaults(cls, value: Any) -> Any:
        return {**STUCK_AFTER_S, **value} if isinstance(value, dict) else value

    @field_validator("stuck_after_s")
    @classmethod
    def _no_final_status(cls, value: dict[OrderStatus, float]) -> dict[OrderStatus, float]:
        final = sorted(status.value for status in value if status in FINAL)
        if final:
            raise ValueError(f"an order in {', '.join(final)} has ended: it is never stuck")
        return value
