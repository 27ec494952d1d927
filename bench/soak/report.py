"""The soak's report: what ran, the faults, how every order ended, what was lost (markdown)."""

import re

from bench.soak.run import SoakResult
from simulator.report import table_row

END_STATES = ("delivered", "paymentFailed", "reimbursed")


def cells(output: str, name: str) -> list[str]:
    """A row of the simulator's closing table without its name ([] when it has none)."""
    return table_row(output, name)[1:]


def placed(output: str) -> tuple[int, float]:
    """Orders the simulator played and how long it took (its table's title)."""
    found = re.search(r"(\d+) orders in ([\d.]+) s", output)
    return (int(found[1]), float(found[2])) if found else (0, 0.0)


def wrong(result: SoakResult) -> int:
    """Orders that did not reach their expected end (lost ones included)."""
    count, _ = placed(result.output)
    reached = sum(int(cells(result.output, state)[-1] or 0) for state in END_STATES
                  if cells(result.output, state))  # fmt: skip
    return count - reached


def markdown(result: SoakResult, when: str) -> str:
    count, took_s = placed(result.output)
    lost = wrong(result)
    dead = sum(result.dead_letters.values())
    verdict = "PASSED" if result.returncode == 0 and lost == dead == 0 else "FAILED"
    lines = [
        f"# Soak {when}: {verdict}",
        "",
        f"`python -m bench soak`: the simulator for {result.minutes:g} min at concurrency "
        f"{result.concurrency} (10% failed payments, 10% cancellations) on a stack of its own "
        "(3 RabbitMQ nodes, quorum queues, its own database server and Redis); every "
        f"{result.every_s:g} s one of them is stopped for {result.outage_s:g} s.",
        "",
        "| | |",
        "|---|---:|",
        f"| orders placed | {count} in {took_s:.0f} s ({count / took_s if took_s else 0:.1f}/s) |",
        f"| orders stored | {result.stored} |",
        f"| **lost or wrongly ended** | **{lost}** |",
        f"| messages dead-lettered | {dead} |",
        f"| 5xx answers other than 503 | {result.server_errors} |",
        f"| events left unpublished at the end | {result.outbox_waiting} |",
        f"| simulator exit status | {result.returncode} |",
        "",
        "| end state | expected | reached |",
        "|---|---:|---:|",
        *(f"| {state} | {' | '.join(cells(result.output, state))} |" for state in END_STATES),
        "",
        "| at | fault | down (stop to answering again) |",
        "|---:|---|---:|",
        *(f"| {f.at_s:.0f} s | {f.name} | {f.down_s:.1f} s |" for f in result.faults),
        "",
        "Orders placed per minute: " + ", ".join(str(n) for n in result.per_minute),
    ]
    for name in ("placement p50", "placement p99", "whole life p50", "whole life p99"):
        if cells(result.output, name):
            lines.append(f"{name}: {cells(result.output, name)[-1]}  ")
    wrong_lines = [line for line in result.output.splitlines() if line.startswith("order ")]
    if wrong_lines:
        lines += ["", "Orders not as expected (the simulator's first ten):", "", "```",
                  *wrong_lines, "```"]  # fmt: skip
    return "\n".join(lines) + "\n"
