"""The charge's progress: only a pending charge moves, and each outcome leads to one place."""

import pytest

from OrderService.business.charge_progress import (
    ChargeOutcome,
    ChargeProgress,
    charge_step,
    outcome_of_failure,
)

P, Outcome = ChargeProgress, ChargeOutcome


@pytest.mark.parametrize(
    ("outcome", "progress"),
    [
        (Outcome.ACCEPTED, P.SENT),
        (Outcome.ORDER_MOVED_ON, P.SKIPPED),
        (Outcome.REFUSED, P.REFUSED),
        (Outcome.GAVE_UP, P.REFUSED),
        (Outcome.UNAVAILABLE, P.PENDING),
    ],
)
def test_a_pending_charge_moves_by_its_outcome(outcome, progress) -> None:
    assert charge_step(P.PENDING, outcome) == progress


@pytest.mark.parametrize("final", [P.SENT, P.SKIPPED, P.REFUSED])
@pytest.mark.parametrize("outcome", list(Outcome))
def test_a_final_progress_never_changes(final, outcome) -> None:
    assert charge_step(final, outcome) is None


def test_every_outcome_has_a_step() -> None:
    assert {charge_step(P.PENDING, outcome) for outcome in Outcome} == set(P)


def test_a_charge_not_sent_is_retried_until_the_last_attempt() -> None:
    assert outcome_of_failure(1, 3) == Outcome.UNAVAILABLE
    assert outcome_of_failure(2, 3) == Outcome.UNAVAILABLE
    assert outcome_of_failure(3, 3) == Outcome.GAVE_UP
