"""The order's life as data: which event moves an order from which statuses to which status.

    created -> paymentPaid -> deliveryScheduled -> driverAvailable -> cookingScheduled
            -> cookingMeal -> cookingDone -> pickedUp -> inTransit -> delivered
    created -> paymentFailed
    created | paymentPaid | deliveryScheduled --cancel--> orderCancelled -> reimbursed

`decide` tells for an event whether to apply it, ignore it (duplicate, late, or the order has
ended) or wait for it (it came before the event it follows: retry later).
"""

from dataclasses import dataclass
from enum import StrEnum


class OrderStatus(StrEnum):
    CREATED = "created"
    PAYMENT_PAID = "paymentPaid"
    PAYMENT_FAILED = "paymentFailed"
    DELIVERY_SCHEDULED = "deliveryScheduled"
    DRIVER_AVAILABLE = "driverAvailable"
    COOKING_SCHEDULED = "cookingScheduled"
    COOKING_MEAL = "cookingMeal"
    COOKING_DONE = "cookingDone"
    PICKED_UP = "pickedUp"
    IN_TRANSIT = "inTransit"
    DELIVERED = "delivered"
    ORDER_CANCELLED = "orderCancelled"
    REIMBURSED = "reimbursed"


S = OrderStatus
HAPPY_PATH = [
    S.CREATED,
    S.PAYMENT_PAID,
    S.DELIVERY_SCHEDULED,
    S.DRIVER_AVAILABLE,
    S.COOKING_SCHEDULED,
    S.COOKING_MEAL,
    S.COOKING_DONE,
    S.PICKED_UP,
    S.IN_TRANSIT,
    S.DELIVERED,
]
RANK = {status: rank for rank, status in enumerate(HAPPY_PATH)}
FINAL = frozenset({S.DELIVERED, S.PAYMENT_FAILED, S.REIMBURSED})
CANCELLABLE = frozenset({S.CREATED, S.PAYMENT_PAID, S.DELIVERY_SCHEDULED})

# Each step: the statuses it may start from -> the status it leads to.
TRANSITIONS: dict[S, frozenset[S]] = {
    S.PAYMENT_PAID: frozenset({S.CREATED}),
    S.PAYMENT_FAILED: frozenset({S.CREATED}),
    S.DELIVERY_SCHEDULED: frozenset({S.PAYMENT_PAID}),
    S.DRIVER_AVAILABLE: frozenset({S.DELIVERY_SCHEDULED}),
    S.COOKING_SCHEDULED: frozenset({S.DRIVER_AVAILABLE}),
    S.COOKING_MEAL: frozenset({S.COOKING_SCHEDULED}),
    S.COOKING_DONE: frozenset({S.COOKING_MEAL}),
    S.PICKED_UP: frozenset({S.COOKING_DONE}),
    S.IN_TRANSIT: frozenset({S.PICKED_UP}),
    S.DELIVERED: frozenset({S.IN_TRANSIT}),
    S.ORDER_CANCELLED: CANCELLABLE,
    S.REIMBURSED: frozenset({S.ORDER_CANCELLED}),
}


class Verdict(StrEnum):
    APPLY = "apply"
    IGNORE = "ignore"  # duplicate, late, or the order is past it: nothing changes
    WAIT = "wait"  # came before the step it follows: try again later


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reason: str


def decide(current: OrderStatus, target: OrderStatus) -> Decision:
    """Whether an order in `current` can move to `target` now, never, or later."""
    if target in TRANSITIONS and current in TRANSITIONS[target]:
        return Decision(Verdict.APPLY, f"{current} -> {target}")
    if current == target:
        return Decision(Verdict.IGNORE, f"already {target} (duplicate)")
    if current in FINAL or current == S.ORDER_CANCELLED:
        return Decision(Verdict.IGNORE, f"order is {current}; {target} no longer applies")
    if target in RANK and current in RANK and RANK[current] < RANK[target]:
        return Decision(Verdict.WAIT, f"order is {current}, {target} comes later")
    if target == S.REIMBURSED:
        return Decision(Verdict.IGNORE, f"order is {current}, not cancelled: nothing to reimburse")
    return Decision(Verdict.IGNORE, f"order is {current}; {target} would move it backwards")


def can_cancel(current: OrderStatus) -> bool:
    """Cancelling is allowed until a driver is available."""
    return current in CANCELLABLE
