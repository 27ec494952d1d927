"""What the order rules refuse; the web layer maps each to an HTTP status."""


class OrderError(Exception):
    """Base of the business errors."""


class OrderNotFound(OrderError):
    pass


class CancelTooLate(OrderError):
    """A driver is already on the way (or the order has ended): cancelling is refused."""


class IdempotencyConflict(OrderError):
    """The Idempotency-Key was used before for a different request."""


class NotReadyYet(Exception):
    """An event came before the step it follows; the consumer retries it later."""


class PaymentRefused(Exception):
    """PaymentService refused the charge for good (not a transient failure)."""
