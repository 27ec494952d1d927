"""PaymentService's business numbers for Prometheus, counted where the card company's callbacks
come in (the business rules know nothing of them)."""

from prometheus_client import Counter

from PaymentService.business.callbacks import CallbackOutcome
from PaymentService.business.models import CallbackStatus
from servicekit.metrics import labelled

CALLBACKS = Counter(
    "payment_callbacks_total",
    "Card company callbacks accepted, by status and whether it was a duplicate",
    ["status", "duplicate"],
)


def count_callback(status: CallbackStatus, outcome: CallbackOutcome) -> None:
    labelled(CALLBACKS, status.value, "false" if outcome.applied else "true").inc()
