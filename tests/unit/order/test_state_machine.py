"""The order state machine on its own: every pair of statuses, each against the documented rules.

The pairs come from the table (every `OrderStatus` as current and as target: 13 x 13). The
expected verdict of each pair is worked out here from README "The order's life", written out
independently of `state_machine.py` (no use of its TRANSITIONS, RANK, FINAL or CANCELLABLE),
so that a wrong rule there fails at least one case.
"""

import itertools

import pytest

from OrderService.business.state_machine import OrderStatus, Verdict, can_cancel, decide

# README "The order's life", as plain status names.
HAPPY = [
    "created",
    "paymentPaid",
    "deliveryScheduled",
    "driverAvailable",
    "cookingScheduled",
    "cookingMeal",
    "cookingDone",
    "pickedUp",
    "inTransit",
    "delivered",
]
OFF_PATH = ["paymentFailed", "orderCancelled", "reimbursed"]
# "POST /v1/orders/{id}/cancel in created | paymentPaid | deliveryScheduled"
CANCEL_FROM = {"created", "paymentPaid", "deliveryScheduled"}
# The allowed steps: each happy-path step from the one before it, a failed payment of a new
# order, a cancel while still cancellable, a reimbursement of a cancelled order.
STEPS = {
    *itertools.pairwise(HAPPY),
    ("created", "paymentFailed"),
    *((status, "orderCancelled") for status in CANCEL_FROM),
    ("orderCancelled", "reimbursed"),
}
# Ends: "delivered (end)", "paymentFailed (end)", "reimbursed (end)"; a cancelled order goes
# nowhere but to reimbursed.
ENDED = {"delivered", "paymentFailed", "reimbursed", "orderCancelled"}


def expected_verdict(current: str, target: str) -> Verdict:
    if (current, target) in STEPS:
        return Verdict.APPLY
    if current == target:
        return Verdict.IGNORE  # a duplicate
    if current in ENDED:
        return Verdict.IGNORE  # the order has ended
    if current in HAPPY and target in HAPPY and HAPPY.index(target) > HAPPY.index(current):
        return Verdict.WAIT  # came before the step it follows
    # Backwards on the happy path, a failed payment after the payment, a cancel after a driver
    # is available, a reimbursement of an order never cancelled: nothing changes.
    return Verdict.IGNORE


ALL_PAIRS = list(itertools.product(OrderStatus, repeat=2))


def test_the_documented_rules_name_every_status_of_the_table() -> None:
    assert sorted(s.value for s in OrderStatus) == sorted(HAPPY + OFF_PATH)
    assert len(ALL_PAIRS) == 13 * 13


@pytest.mark.parametrize(
    "current, target", ALL_PAIRS, ids=[f"{c.value}->{t.value}" for c, t in ALL_PAIRS]
)
def test_every_pair_of_statuses_gets_the_documented_verdict(current, target) -> None:
    assert decide(current, target).verdict == expected_verdict(current.value, target.value)


@pytest.mark.parametrize("status", list(OrderStatus), ids=[s.value for s in OrderStatus])
def test_cancel_is_allowed_only_before_a_driver_is_available(status) -> None:
    assert can_cancel(status) == (status.value in CANCEL_FROM)
