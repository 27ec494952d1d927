"""The performance targets of the workload, and whether a run met them."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MIN_ORDERS_PER_S = 40.0
MAX_SPREAD = 0.2  # max/min - 1 of orders/s over the stored-order levels
MAX_FAILED = 0
MAX_POST_P99_MS = 250.0
MIN_SHARE_OF_LIMIT = 0.7


@dataclass(frozen=True)
class Verdict:
    """One target: what it asks, what was measured, and whether it passed (None: not known)."""

    target: str
    measured: str
    passed: bool | None

    @property
    def result(self) -> str:
        """'pass', 'FAIL' or 'n/a' for the table."""
        return "n/a" if self.passed is None else "pass" if self.passed else "FAIL"


def per_level(runs: Sequence[Mapping[str, Any]], key: str, digits: int = 1) -> str:
    """'stored 1000: 23.1, stored 10000: 22.8': one value of every run."""
    return ", ".join(
        f"{run['label']}: {'-' if run[key] is None else f'{run[key]:.{digits}f}'}" for run in runs
    )


def spread(rates: Sequence[float]) -> float:
    """max/min - 1 of the rates (infinite when one is 0)."""
    return max(rates) / min(rates) - 1 if min(rates) > 0 else float("inf")


def evaluate(
    runs: Sequence[Mapping[str, Any]],
    concurrency: int,
    cost_failed: int = 0,
    limit: float | None = None,
    limit_by: str = "",
) -> list[Verdict]:
    """The five targets over the workload's level runs (raw JSON dicts), in order (a)..(e)."""
    if not runs:
        return []
    rates = [run["orders_per_s"] for run in runs]
    p99s = [run["post_p99_ms"] for run in runs]
    failed = sum(sum(run["failures"].values()) for run in runs)
    verdicts = [
        Verdict(
            f"(a) workload >= {MIN_ORDERS_PER_S:.0f} orders/s at every level",
            f"min {min(rates):.1f} ({per_level(runs, 'orders_per_s')})",
            min(rates) >= MIN_ORDERS_PER_S,
        ),
        Verdict(
            f"(b) orders/s within {MAX_SPREAD:.0%} from the smallest to the largest level "
            "(max/min - 1)",
            f"{spread(rates):.1%} ({min(rates):.1f} to {max(rates):.1f})",
            spread(rates) <= MAX_SPREAD if len(runs) > 1 else None,
        ),
        Verdict(
            "(c) failed orders: 0",
            f"{failed + cost_failed} ({failed} in the level runs, {cost_failed} in floor part B)",
            failed + cost_failed <= MAX_FAILED,
        ),
    ]
    known = [p99 for p99 in p99s if p99 is not None]
    worst = max(known) if known else None
    worst_text = "-" if worst is None else f"{worst:.0f}"
    verdicts.append(
        Verdict(
            f"(d) POST /v1/orders p99 <= {MAX_POST_P99_MS:.0f} ms at concurrency {concurrency}",
            f"max {worst_text} ms ({per_level(runs, 'post_p99_ms', 0)})",
            None if worst is None else worst <= MAX_POST_P99_MS,
        )
    )
    share = min(rates) / limit if limit else None
    verdicts.append(
        Verdict(
            f"(e) workload orders/s >= {MIN_SHARE_OF_LIMIT:.0%} of the floor's limit "
            "(min of CPU limit with the driver and DB limit)",
            "no limit measured"
            if share is None
            else f"{share:.0%}: min {min(rates):.1f} of {limit:.1f} orders/s ({limit_by})",
            None if share is None else share >= MIN_SHARE_OF_LIMIT,
        )
    )
    return verdicts


def markdown(verdicts: Sequence[Verdict]) -> list[str]:
    """The targets as a Markdown table."""
    return [
        "| target | measured | result |",
        "|---|---|---|",
        *(f"| {v.target} | {v.measured} | **{v.result}** |" for v in verdicts),
    ]
