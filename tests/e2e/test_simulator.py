"""The lifecycle simulator against the whole system: every order reaches its expected end."""

import subprocess
import sys

import pytest

from simulator.report import table_row
from tests.e2e.conftest import System

pytestmark = pytest.mark.integration


def simulate(system: System, *args: str, timeout_s: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable, "-m", "simulator",
            "--order-url", system.order_url,
            "--payment-url", system.payment_url,
            "--exchange", system.exchange,
            *args,
        ],
        env=system.env,
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )  # fmt: skip


def row(output: str, name: str) -> list[str]:
    cells = table_row(output, name)
    assert cells, f"no row {name!r} in:\n{output}"
    return cells


@pytest.mark.timeout(900)
def test_200_orders_with_failed_payments_and_cancellations_all_end_as_expected(
    system: System,
) -> None:
    result = simulate(
        system, "--orders", "200", "--concurrency", "20", "--fail-share", "0.1",
        "--cancel-share", "0.1", "--timeout", "120",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert row(result.stdout, "delivered")[1:] == ["160", "160"]
    assert row(result.stdout, "paymentFailed")[1:] == ["20", "20"]
    assert row(result.stdout, "reimbursed")[1:] == ["20", "20"]
    assert row(result.stdout, "orders with a distance")[-1] == "200/200"


def test_simulator_says_clearly_when_the_stack_is_not_running(system: System) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "simulator", "--orders", "1", "--order-url", "http://127.0.0.1:9"],
        env=system.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "OrderService is not reachable" in result.stderr
    assert "make up" in result.stderr
