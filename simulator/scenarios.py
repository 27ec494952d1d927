"""One order's life as the simulator plays it, and what the run measured."""

import asyncio
import random
import time
from dataclasses import dataclass, field
from enum import StrEnum

from simulator.parties import (
    AFTER_DRIVER,
    MENU,
    CardCompany,
    Customer,
    StatusReporter,
    Timeout,
    status_message,
)


class Scenario(StrEnum):
    DELIVERED = "delivered"
    PAYMENT_FAILED = "paymentFailed"
    CANCELLED = "cancelled"

    @property
    def expected_status(self) -> str:
        return {
            "delivered": "delivered",
            "paymentFailed": "paymentFailed",
            "cancelled": "reimbursed",
        }[self.value]


@dataclass
class Outcome:
    scenario: Scenario
    order_id: str | None = None
    reached: str | None = None
    placement_s: float | None = None
    life_s: float | None = None
    has_distance: bool = False
    distance_unavailable: bool = False  # DistanceService said why there is none
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.reached == self.scenario.expected_status

    @property
    def distance_decided(self) -> bool:
        return self.has_distance or self.distance_unavailable

    def note_distance(self, order: dict) -> None:
        self.has_distance = order.get("distance_km") is not None
        self.distance_unavailable = order.get("distance_unavailable") is not None


@dataclass
class Parties:
    customer: Customer
    card_company: CardCompany
    reporter: StatusReporter
    step_delay_s: float = 0.0
    timeout_s: float = 60.0
    rng: random.Random = field(default_factory=random.Random)


def pick_scenarios(count: int, fail_share: float, cancel_share: float, seed: int) -> list[Scenario]:
    """Exactly round(count * share) orders of each kind, in a shuffled (reproducible) order."""
    failed = round(count * fail_share)
    cancelled = round(count * cancel_share)
    scenarios = (
        [Scenario.PAYMENT_FAILED] * failed
        + [Scenario.CANCELLED] * cancelled
        + [Scenario.DELIVERED] * (count - failed - cancelled)
    )
    random.Random(seed).shuffle(scenarios)
    return scenarios


async def play(scenario: Scenario, parties: Parties) -> Outcome:
    """Place one order and play every outside party until it should have ended."""
    outcome = Outcome(scenario)
    customer, card, reporter = parties.customer, parties.card_company, parties.reporter
    started = time.perf_counter()
    try:
        order = await customer.place(_items(parties.rng))
        outcome.placement_s = time.perf_counter() - started
        outcome.order_id = order_id = order["id"]
        wait = parties.timeout_s
        if scenario == Scenario.PAYMENT_FAILED:
            await _ok(await card.answer(order_id, "paymentFailed", timeout_s=wait))
        elif scenario == Scenario.CANCELLED:
            # Before a driver is found: once a delivery is booked, or before the payment is
            # confirmed (then the confirmation comes after the cancel and is reimbursed too).
            paid_first = parties.rng.random() < 0.5
            if paid_first:
                await _ok(await card.answer(order_id, "paymentPaid", timeout_s=wait))
                await customer.wait_for_status(order_id, "deliveryScheduled", timeout_s=wait)
            else:
                await card.wait_for_payment(order_id, "pending", timeout_s=wait)
            await _ok(await customer.cancel(order_id))
            if not paid_first:
                await _ok(await card.answer(order_id, "paymentPaid", timeout_s=wait))
            await _ok(await card.answer(order_id, "reimbursed", timeout_s=wait))
        else:
            await _ok(await card.answer(order_id, "paymentPaid", timeout_s=wait))
            order = await customer.wait_for_status(order_id, "deliveryScheduled", timeout_s=wait)
            await _report(reporter, order, "delivery.driverAvailable", "driverAvailable")
            await customer.wait_for_status(order_id, "cookingScheduled", timeout_s=wait)
            for routing_key, status in AFTER_DRIVER:
                await asyncio.sleep(parties.step_delay_s)
                await _report(reporter, order, routing_key, status)
        final = await customer.wait_for_status(order_id, scenario.expected_status, timeout_s=wait)
        outcome.reached = final["status"]
        outcome.life_s = time.perf_counter() - started
        outcome.note_distance(final)
    except Timeout as error:
        outcome.error = str(error)
        outcome.reached = await _current(customer, outcome.order_id)
    except Exception as error:
        outcome.error = f"{type(error).__name__}: {error}"
        outcome.reached = await _current(customer, outcome.order_id)
    return outcome


async def _report(reporter: StatusReporter, order: dict, routing_key: str, status: str) -> None:
    await reporter.report(routing_key, status_message(status, order["id"], order["customer_id"]))


async def _ok(answer) -> None:
    if answer.status_code >= 300:
        raise AssertionError(
            f"{answer.request.method} {answer.request.url.path}: {answer.status_code} {answer.text}"
        )


async def _current(customer: Customer, order_id: str | None) -> str | None:
    if order_id is None:
        return None
    try:
        return (await customer.get(order_id))["status"]
    except Exception:
        return None


def _items(rng: random.Random) -> list[dict]:
    lines = rng.sample(MENU, rng.randint(1, 3))
    return [{"product": product, "quantity": rng.randint(1, 3)} for product in lines]
