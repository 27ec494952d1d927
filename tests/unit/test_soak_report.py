"""The soak's report reads the simulator's closing table right and counts what went wrong."""

from bench.soak.faults import Injected
from bench.soak.report import markdown, wrong
from bench.soak.run import SoakResult

TABLE = """\
              100 orders in 61.0 s
┏━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━┓
┃ end state              ┃ expected ┃ reached ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━┩
│ delivered              │       80 │      {delivered} │
│ paymentFailed          │       10 │      10 │
│ reimbursed             │       10 │      10 │
├────────────────────────┼──────────┼─────────┤
│ placement p50          │          │  114 ms │
└────────────────────────┴──────────┴─────────┘
"""


def result(delivered: int, dead: int = 0, returncode: int = 0) -> SoakResult:
    outcome = SoakResult(10, 24, 120, 15, returncode=returncode)
    outcome.output = TABLE.format(delivered=delivered)
    outcome.dead_letters = {"OrderService.dead": dead}
    outcome.faults = [Injected("database server stopped", down_s=15.2, at_s=120)]
    return outcome


def test_a_run_where_every_order_ended_as_expected_passes() -> None:
    text = markdown(result(80), "20261201T190000")
    assert wrong(result(80)) == 0
    assert text.startswith("# Soak 20261201T190000: PASSED")
    assert "| **lost or wrongly ended** | **0** |" in text
    assert "| 120 s | database server stopped | 15.2 s |" in text
    assert "| delivered | 80 | 80 |" in text


def test_orders_short_of_their_end_or_dead_letters_fail_it() -> None:
    assert wrong(result(78)) == 2
    assert "FAILED" in markdown(result(78, returncode=1), "t").splitlines()[0]
    assert "FAILED" in markdown(result(80, dead=1), "t").splitlines()[0]
