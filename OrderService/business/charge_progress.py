"""The charge's own progress beside the order's status, as data plus one function.

    pending --accepted--> sent
    pending --orderMovedOn--> skipped     (cancelled before it was charged)
    pending --refused | gaveUp--> refused (the order ends in paymentFailed)
    pending --unavailable--> pending      (tried again later)

Only a pending charge moves: sent, skipped and refused are final.
"""

from enum import StrEnum


class ChargeProgress(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    SKIPPED = "skipped"
    REFUSED = "refused"


class ChargeOutcome(StrEnum):
    ACCEPTED = "accepted"  # PaymentService took the charge request
    ORDER_MOVED_ON = "orderMovedOn"  # the order is no longer `created`: nothing to charge
    REFUSED = "refused"  # PaymentService refused it for good
    GAVE_UP = "gaveUp"  # it could not be sent within the allowed attempts
    UNAVAILABLE = "unavailable"  # not sent this time: PaymentService down or timing out


CHARGE_STEPS: dict[ChargeOutcome, ChargeProgress] = {
    ChargeOutcome.ACCEPTED: ChargeProgress.SENT,
    ChargeOutcome.ORDER_MOVED_ON: ChargeProgress.SKIPPED,
    ChargeOutcome.REFUSED: ChargeProgress.REFUSED,
    ChargeOutcome.GAVE_UP: ChargeProgress.REFUSED,
    ChargeOutcome.UNAVAILABLE: ChargeProgress.PENDING,
}


def charge_step(current: ChargeProgress, outcome: ChargeOutcome) -> ChargeProgress | None:
    """The progress after `outcome`, or None when the charge is no longer pending (a final
    progress never changes: a late outcome of a repeated attempt changes nothing)."""
    if current != ChargeProgress.PENDING:
        return None
    return CHARGE_STEPS[outcome]


def outcome_of_failure(attempts: int, max_attempts: int) -> ChargeOutcome:
    """A charge not sent: try again later, or give up after `max_attempts`."""
    return ChargeOutcome.GAVE_UP if attempts >= max_attempts else ChargeOutcome.UNAVAILABLE
