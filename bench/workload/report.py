"""The workload's Markdown tables and its result files (.md, .json, .png)."""

import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from bench.common import OUT_DIR, machine, say, stamp
from bench.workload.chart import chart
from bench.workload.model import POLL_S, STEP_NAMES, RunRecord, WorkloadConfig
from bench.workload.stats import ms, rate, raw, seconds


def table_row(record: RunRecord) -> str:
    """One Markdown row for a run."""
    lives = [life for _, life in record.completed]
    cells = [
        record.label,
        str(record.stored_before),
        str(record.orders),
        str(len(record.completed)),
        str(sum(record.failures.values())),
        f"{record.wall_s:.1f}",
        f"{rate(record):.2f}",
        ms(record.latencies("post_order"), 0.5, 0.95, 0.99),
        ms(record.latencies("get_order"), 0.5, 0.99),
        seconds(lives, 0.5, 0.99),
    ]
    return "| " + " | ".join(cells) + " |"


def step_table(records: list[RunRecord]) -> list[str]:
    """Markdown rows: how long each step of a life took (ms p50 / p99), per run."""
    header = " | ".join(f"to {name} ms p50 / p99" for name in STEP_NAMES)
    return [
        f"| run | {header} |",
        "|---|" + "---:|" * len(STEP_NAMES),
        *(f"| {record.label} | {step_cells(record)} |" for record in records),
    ]


def step_cells(record: RunRecord) -> str:
    """One run's step durations as Markdown cells."""
    return " | ".join(
        ms([latency for _, latency in record.steps[name]], 0.5, 0.99) for name in STEP_NAMES
    )


def tables(records: list[RunRecord]) -> list[str]:
    """A row per run, the step durations, then failure reasons and HTTP errors."""
    lines = [
        "| run | stored before | orders | done | failed | wall s | orders/s "
        "| POST ms p50 / p95 / p99 | GET ms p50 / p99 | whole life s p50 / p99 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *(table_row(record) for record in records),
        "",
        *step_table(records),
        "",
    ]
    for record in records:
        for reason, count in (record.failures + record.http_errors).most_common(10):
            lines.append(f"- {record.label}: {count} x {reason}")
    return lines


def markdown(records: list[RunRecord], config: WorkloadConfig, when: str) -> str:
    """The workload's own report: a header line, then the tables."""
    header = (
        f"Workload {when}: concurrency {config.concurrency}, order deadline "
        f"{config.order_timeout_s:.0f} s, polls every {POLL_S * 1000:.0f} ms"
    )
    return "\n".join([header, "", *tables(records)])


def chart_title(concurrency: int) -> str:
    """The chart's title: what ran, when, and on which machine."""
    day = f"{datetime.now(UTC):%Y-%m-%d}"
    return (
        f"Order workload at concurrency {concurrency}, {day}: whole stack and driver on one "
        f"machine ({machine()})"
    )


def write_results(
    records: list[RunRecord], config: WorkloadConfig, out: Path = OUT_DIR, draw: bool = True
) -> Path:
    """Print the tables and write .md, .json and .png (unless not `draw`); return the .md."""
    when = stamp()
    out.mkdir(parents=True, exist_ok=True)
    base = out / f"workload-{when}"
    text = markdown(records, config, when)
    print(text)
    base.with_suffix(".md").write_text(text + "\n")
    summary = {"config": asdict(config), "runs": [raw(record) for record in records]}
    base.with_suffix(".json").write_text(json.dumps(summary))
    if draw:
        chart(records, base.with_suffix(".png"), chart_title(config.concurrency))
    say(f"\nwritten: {base}.md, .json" + ", .png" * draw)
    return base.with_suffix(".md")
