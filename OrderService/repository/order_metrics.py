"""OrderService's business numbers for Prometheus, counted by the adapters every change and
lookup passes through (the business rules know nothing of them)."""

from prometheus_client import Counter, Gauge, Histogram

from OrderService.business.models import Order
from OrderService.business.state_machine import FINAL
from servicekit.metrics import labelled

TRANSITIONS = Counter(
    "order_transitions_total", "Order status changes", ["from_status", "to_status"]
)
LIFE = Histogram(
    "order_life_seconds",
    "Time from placing an order to its end status (delivered, paymentFailed or reimbursed)",
    ["end_status"],
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 2700, 3600, 5400, 7200, 14400, 28800),
)
CACHE_REQUESTS = Counter(
    "order_cache_requests_total", "Lookups of an order in the Redis cache", ["result"]
)
# Every instance counts all stored orders: aggregate with max(), not sum().
STUCK = Gauge(
    "orders_stuck", "Orders that have not moved for longer than their status takes", ["status"]
)

HIT, MISS, ERROR = "hit", "miss", "error"


def count_transition(order: Order) -> None:
    """`order` has just moved to its status: count the step, and its life time if it ended."""
    if len(order.history) < 2:  # not a step from one status to another
        return
    before, after = order.history[-2], order.history[-1]
    labelled(TRANSITIONS, before["status"], after["status"]).inc()
    if order.status in FINAL:
        life_s = (after["at"] - order.created_at).total_seconds()
        labelled(LIFE, order.status.value).observe(max(life_s, 0.0))


def count_cache_request(result: str) -> None:
    labelled(CACHE_REQUESTS, result).inc()
