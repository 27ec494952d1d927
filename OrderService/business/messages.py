"""The events OrderService consumes, one model each; handlers get them validated."""

from pydantic import Field

from servicekit.contracts import StatusMessage


class StatusReport(StatusMessage):
    """A status an outside party or PaymentService reports; the routing key says which."""


class DistanceCalculated(StatusMessage):
    distance_km: float = Field(ge=0)
    estimated_delivery_minutes: float = Field(ge=0)


class DistanceUnavailable(StatusMessage):
    """No distance for this order (the address has no coordinates, say), and why."""

    reason: str = Field(min_length=1, max_length=500)


class OrderCancelled(StatusMessage):
    """Our own event: the delivery booking and the money are undone on it."""
