"""The order state machine on its own: every allowed step, every refused one."""

import itertools

import pytest

from OrderService.business.state_machine import (
    CANCELLABLE,
    HAPPY_PATH,
    TRANSITIONS,
    OrderStatus,
    Verdict,
    can_cancel,
    decide,
)

S = OrderStatus


@pytest.mark.parametrize("current, target", list(itertools.pairwise(HAPPY_PATH)))
def test_each_step_of_the_happy_path_is_applied(current, target) -> None:
    assert decide(current, target).verdict == Verdict.APPLY


@pytest.mark.parametrize(
    "current, target",
    [
        (S.CREATED, S.PAYMENT_FAILED),
        (S.CREATED, S.ORDER_CANCELLED),
        (S.PAYMENT_PAID, S.ORDER_CANCELLED),
        (S.DELIVERY_SCHEDULED, S.ORDER_CANCELLED),
        (S.ORDER_CANCELLED, S.REIMBURSED),
    ],
)
def test_failure_cancel_and_reimbursement_steps_are_applied(current, target) -> None:
    assert decide(current, target).verdict == Verdict.APPLY


@pytest.mark.parametrize("status", list(S))
def test_the_same_status_again_is_an_ignored_duplicate(status) -> None:
    decision = decide(status, status)
    assert decision.verdict == Verdict.IGNORE


@pytest.mark.parametrize(
    "current, target",
    [(later, earlier) for i, earlier in enumerate(HAPPY_PATH) for later in HAPPY_PATH[i + 1 :]],
)
def test_status_never_moves_backwards(current, target) -> None:
    assert decide(current, target).verdict == Verdict.IGNORE


@pytest.mark.parametrize(
    "current, target",
    [(earlier, later) for i, earlier in enumerate(HAPPY_PATH) for later in HAPPY_PATH[i + 2 :]],
)
def test_an_event_that_comes_too_early_waits_for_its_turn(current, target) -> None:
    assert decide(current, target).verdict == Verdict.WAIT


@pytest.mark.parametrize("final", [S.DELIVERED, S.PAYMENT_FAILED, S.REIMBURSED, S.ORDER_CANCELLED])
@pytest.mark.parametrize("target", [s for s in S if s not in (S.REIMBURSED,)])
def test_nothing_brings_an_ended_order_back_to_life(final, target) -> None:
    if final == target:
        return
    assert decide(final, target).verdict == Verdict.IGNORE


def test_reimbursed_only_follows_a_cancel() -> None:
    for status in S:
        expected = Verdict.APPLY if status == S.ORDER_CANCELLED else Verdict.IGNORE
        assert decide(status, S.REIMBURSED).verdict == expected


def test_cancel_is_allowed_only_before_a_driver_is_available() -> None:
    allowed = {status for status in S if can_cancel(status)}
    assert allowed == {S.CREATED, S.PAYMENT_PAID, S.DELIVERY_SCHEDULED}
    assert TRANSITIONS[S.ORDER_CANCELLED] == CANCELLABLE
