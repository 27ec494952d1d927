"""The simulator's closing table."""

from collections import Counter

from rich.table import Table

from simulator.scenarios import Outcome, Scenario


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of the values (0 when there are none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[rank]


def table_row(output: str, name: str) -> list[str]:
    """The cells of the row `name` of the closing table as printed ([] when it has none), for
    whoever reads the simulator's output (tests, the soak)."""
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip("│┃ ").split("│")]
        if cells and cells[0] == name:
            return cells
    return []


def summary_table(outcomes: list[Outcome], elapsed_s: float) -> Table:
    table = Table(title=f"{len(outcomes)} orders in {elapsed_s:.1f} s", show_lines=False)
    table.add_column("end state")
    table.add_column("expected", justify="right")
    table.add_column("reached", justify="right")
    expected = Counter(outcome.scenario.expected_status for outcome in outcomes)
    reached = Counter(outcome.reached for outcome in outcomes if outcome.ok)
    for scenario in Scenario:
        status = scenario.expected_status
        style = "green" if reached[status] == expected[status] else "red"
        table.add_row(status, str(expected[status]), f"[{style}]{reached[status]}[/{style}]")
    others = Counter(outcome.reached for outcome in outcomes if not outcome.ok)
    for status, count in others.items():
        table.add_row(f"[red]{status} (unexpected)[/red]", "0", f"[red]{count}[/red]")

    placement = [o.placement_s * 1000 for o in outcomes if o.placement_s is not None]
    life = [o.life_s for o in outcomes if o.life_s is not None]
    delivered = [o for o in outcomes if o.scenario == Scenario.DELIVERED and o.ok]
    with_distance = sum(o.has_distance for o in outcomes if o.ok)
    ok = sum(o.ok for o in outcomes)
    table.add_section()
    table.add_row("orders per second", "", f"{len(outcomes) / elapsed_s:.1f}" if elapsed_s else "-")
    for name, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
        table.add_row(f"placement {name}", "", f"{percentile(placement, share):.0f} ms")
    for name, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
        table.add_row(f"whole life {name}", "", f"{percentile(life, share):.2f} s")
    table.add_row("delivered orders", "", str(len(delivered)))
    table.add_row("orders with a distance", "", f"{with_distance}/{ok}")
    unavailable = sum(o.distance_unavailable for o in outcomes if o.ok)
    if unavailable:
        table.add_row("orders with no distance (unavailable)", "", f"{unavailable}/{ok}")
    return table
