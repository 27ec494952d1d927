"""What an operator sees of one order: its trace across HTTP and RabbitMQ, its timeline, and the
counters of the messages it caused."""

import secrets
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import ujson

from simulator.parties import CardCompany, Customer, StatusReporter
from tests.conftest import TEST_API_KEY, TEST_WEBHOOK_SECRET
from tests.e2e.conftest import System
from tests.integration.conftest import wait_for
from tests.integration.metrics import scrape, total
from tests.integration.test_order_service import FULL_HISTORY, drive_to_delivered

pytestmark = pytest.mark.integration


@pytest.fixture
async def parties(system: System) -> AsyncIterator[tuple[Customer, CardCompany, StatusReporter]]:
    customer = Customer(system.order_url, TEST_API_KEY)
    card_company = CardCompany(system.payment_url, TEST_API_KEY, TEST_WEBHOOK_SECRET)
    reporter = StatusReporter(system.env["RABBIT_URL"], system.exchange)
    await reporter.connect()
    yield customer, card_company, reporter
    await customer.close()
    await card_company.close()
    await reporter.close()


def spans(system: System, service: str) -> list[dict]:
    path = Path(system.order.log_file).parent / f"spans-{service}.jsonl"
    if not path.exists():
        return []
    return [ujson.loads(line) for line in path.read_text().splitlines() if line.strip()]


def lines_with(log: Path, text: str) -> list[str]:
    return [line for line in log.read_text().splitlines() if text in line]


async def test_a_trace_put_on_a_callback_reaches_the_payment_logs_and_the_event_consumer(
    system: System, parties
) -> None:
    customer, card_company, _ = parties
    order = await customer.place()
    payment = await card_company.wait_for_payment(order["id"], "pending")
    trace_id = secrets.token_hex(16)
    callback = {"status": "paymentPaid", "caller_id": payment["payment_id"],
                "transaction_id": str(uuid.uuid4())}  # fmt: skip
    body, signature = card_company.signer.signed_json(callback)
    answer = await card_company.http.post(
        "/v1/payments/callback",
        content=body,
        headers={**signature, "traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"},
    )
    assert answer.status_code == 201

    def consumed_in_the_trace() -> list[dict]:
        return [
            span
            for span in spans(system, "OrderService")
            if span["trace_id"] == trace_id and span["name"] == "consume payment.paymentPaid"
        ]

    await wait_for(consumed_in_the_trace, timeout_s=30, what="OrderService's consume span")
    [consumed] = consumed_in_the_trace()
    assert consumed["attributes"]["order.id"] == order["id"]
    assert consumed["attributes"]["messaging.outcome"] == "ack"
    payment_lines = lines_with(Path(system.payment.log_file), f"trace={trace_id}")
    assert any("paymentPaid" in line for line in payment_lines), payment_lines


async def test_the_timeline_of_a_delivered_order_lists_every_step_in_order(
    system: System, parties
) -> None:
    customer, card_company, reporter = parties
    order = await drive_to_delivered(customer, card_company, reporter)

    def timeline() -> list[dict]:
        done = subprocess.run(
            [sys.executable, "-m", "ops.timeline", order["id"], "--json",
             "--spans-dir", str(Path(system.order.log_file).parent)],
            env=system.env, capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        return [ujson.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]

    def complete() -> bool:  # spans are exported about once a second
        steps = [step["what"] for step in timeline()]
        return any(step.startswith("consumed delivery.delivered") for step in steps)

    await wait_for(complete, timeout_s=30, what="the last consume span in the span file")
    steps = timeline()
    what = [step["what"] for step in steps]
    assert [w.removeprefix("order -> ") for w in what if w.startswith("order -> ")] == FULL_HISTORY
    milliseconds = [step["at"][:23] for step in steps]  # what the stored times have
    assert milliseconds == sorted(milliseconds)
    in_order = [
        "answered POST /v1/orders -> 202",
        "answered POST /v1/payments/callback -> 201",
        "consumed delivery.driverAvailable",
        "consumed kitchen.cookingMeal",
        "consumed kitchen.cookingDone",
        "consumed kitchen.pickedUp",
        "consumed delivery.inTransit",
        "consumed delivery.delivered",
    ]
    positions = [next(i for i, w in enumerate(what) if w.startswith(step)) for step in in_order]
    assert positions == sorted(positions), what
    for step in ("published order.created (confirmed)", "published payment.paymentPaid (confirmed)",
                 "consumed order.created from", "payment -> paid", "distance stored"):  # fmt: skip
        assert any(w.startswith(step) for w in what), (step, what)
    services = {step["service"] for step in steps}
    assert services == {"OrderService", "PaymentService", "DistanceService"}


async def test_the_order_queue_counts_one_consumed_message_per_event(
    system: System, parties
) -> None:
    customer, card_company, reporter = parties
    queue = system.order_queue

    async def consumed() -> float:
        texts = await scrape([system.order])
        return total(texts, "messages_consumed_total", queue=queue, outcome="ack")

    before = await consumed()
    await drive_to_delivered(customer, card_company, reporter)
    # paymentPaid, the six reports, and the distance: eight events for the order's queue.
    await wait_for(lambda: _at_least(consumed, before + 8), timeout_s=30, what="8 more acks")
    assert await consumed() == before + 8


async def _at_least(read, expected: float) -> bool:
    return await read() >= expected
