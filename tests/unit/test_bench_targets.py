"""The benchmark's targets: each passes or fails on the measured numbers, and says why."""

from typing import Any

from bench.suite.targets import evaluate, markdown, spread


def run(label: str, rate: float, p99: float | None = 100.0, failed: int = 0) -> dict[str, Any]:
    failures = {"timeout: order delivered": failed} if failed else {}
    return {"label": label, "orders_per_s": rate, "post_p99_ms": p99, "failures": failures}


def results(runs: list[dict[str, Any]], **kw: Any) -> list[str | None]:
    return [verdict.result for verdict in evaluate(runs, 50, **kw)]


def test_every_target_met() -> None:
    runs = [run("stored 1000", 50), run("stored 10000", 48), run("stored 100000", 45)]
    assert results(runs, limit=60.0, limit_by="CPU") == ["pass"] * 5


def test_each_target_fails_on_its_own_number() -> None:
    slow = [run("stored 1000", 50), run("stored 100000", 39)]
    assert results(slow, limit=50.0)[0] == "FAIL"
    uneven = [run("stored 1000", 60), run("stored 100000", 49.9)]  # 20.2 % apart
    assert results(uneven, limit=60.0)[1] == "FAIL"
    failed = [run("stored 1000", 50, failed=1)]
    assert results(failed, limit=50.0)[2] == "FAIL"
    assert results([run("stored 1000", 50)], cost_failed=1, limit=50.0)[2] == "FAIL"
    late = [run("stored 1000", 50, p99=251)]
    assert results(late, limit=50.0)[3] == "FAIL"
    assert results([run("stored 1000", 41)], limit=60.0)[4] == "FAIL"  # 68 % of the limit


def test_unknown_numbers_are_not_judged() -> None:
    verdicts = evaluate([run("run 1", 50, p99=None)], 50)
    assert [v.result for v in verdicts] == ["pass", "n/a", "pass", "n/a", "n/a"]
    assert evaluate([], 50) == []


def test_spread_and_table() -> None:
    assert abs(spread([40, 48]) - 0.2) < 1e-9
    assert spread([0, 48]) == float("inf")
    table = markdown(evaluate([run("stored 1000", 45), run("stored 100000", 42)], 50, limit=50))
    assert table[0] == "| target | measured | result |"
    assert "min 42.0 (stored 1000: 45.0, stored 100000: 42.0)" in table[2]
    assert "84%: min 42.0 of 50.0 orders/s" in table[6]
