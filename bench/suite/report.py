"""The whole benchmark's report: targets, workload and floor in one Markdown file, and a chart."""

import json
import shutil
from dataclasses import asdict
from pathlib import Path

from bench.common import OUT_DIR, machine
from bench.floor.report import markdown as floor_markdown
from bench.suite.run import Outcome
from bench.suite.targets import MAX_POST_P99_MS, MIN_ORDERS_PER_S, Verdict, evaluate
from bench.suite.targets import markdown as targets_markdown
from bench.workload.chart import chart
from bench.workload.model import POLL_S
from bench.workload.report import chart_title, tables
from bench.workload.stats import raw

RESULTS = Path(__file__).resolve().parent.parent / "results"


def verdicts(outcome: Outcome) -> list[Verdict]:
    """The targets against this benchmark's level runs and the floor's limit."""
    b, limit = outcome.floor["part_b"], outcome.floor["limits"]
    return evaluate(
        [raw(record) for record in outcome.records],
        outcome.config.concurrency,
        b["orders"] - b["completed"],
        limit.get("machine_limit"),
        limit.get("machine_limit_by", ""),
    )


def stored_note(outcome: Outcome) -> list[str]:
    """Which levels ran with more stored orders than they ask for (the preload only adds)."""
    above = [
        f"{record.label} ran with {record.stored_before:,}"
        for level, record in zip(outcome.config.stored, outcome.records, strict=False)
        if record.stored_before is not None and record.stored_before > level * 1.05
    ]
    if not above:
        return []
    return [
        "",
        "The database already held more orders than some levels ask for, and the preload only "
        f"adds orders: {'; '.join(above)} stored orders (the 'stored before' column). "
        "`python -m bench workload --remove-preloaded` deletes the preloaded ones.",
    ]


def markdown(outcome: Outcome, found: list[Verdict], total_s: float, png: str) -> str:
    """The report: what ran where, the chart, the targets, the workload, then the floor."""
    config, floor = outcome.config, outcome.floor
    stages = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in outcome.stages.items())
    lines = [
        f"# Benchmark {floor['when']}",
        "",
        f"One machine ({machine()}) runs everything: RabbitMQ, {floor['part_b']['server']}, "
        "Redis, four Prism mocks, the three services and the load generator. "
        f"`python -m bench` took {total_s / 60:.1f} min ({stages}).",
        "",
        f"![orders/s and POST latency over run time and against stored orders]({png})",
        "",
        "## Targets",
        "",
        *targets_markdown(found),
        "",
        f"## Workload: {config.orders} orders per level at concurrency {config.concurrency}",
        "",
        "An outside client (aiohttp, uvloop) plays every party of each order's life: POST, the "
        "card company's callback, the six transport and kitchen reports on the broker; it reads "
        f"the order every {POLL_S * 1000:.0f} ms while it waits. Order deadline "
        f"{config.order_timeout_s:.0f} s, run deadline {config.run_timeout_s:.0f} s.",
        *stored_note(outcome),
        "",
        *tables(outcome.records),
        "",
        floor_markdown(floor, heading="##"),
    ]
    return "\n".join(lines)


def write(
    outcome: Outcome, total_s: float, when: str, latest: bool
) -> tuple[str, list[Verdict], list[str]]:
    """Write bench-<when>.md, .json, .png (and bench/results/latest.*); text, targets, paths."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    base = OUT_DIR / f"bench-{when}"
    targets = {"orders_per_s": MIN_ORDERS_PER_S, "post_p99_ms": MAX_POST_P99_MS}
    chart(
        outcome.records, base.with_suffix(".png"), chart_title(outcome.config.concurrency), targets
    )
    found = verdicts(outcome)
    text = markdown(outcome, found, total_s, f"{base.name}.png")
    base.with_suffix(".md").write_text(text + "\n")
    summary = {
        "total_s": round(total_s, 1),
        "stages_s": outcome.stages,
        "machine": machine(),
        "targets": [asdict(verdict) | {"result": verdict.result} for verdict in found],
        "floor": outcome.floor,
        "workload": {"config": asdict(outcome.config), "runs": [raw(r) for r in outcome.records]},
    }
    base.with_suffix(".json").write_text(json.dumps(summary, default=str) + "\n")
    written = [str(base.with_suffix(suffix)) for suffix in (".md", ".json", ".png")]
    if latest:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "latest.md").write_text(text.replace(f"{base.name}.png", "latest.png") + "\n")
        shutil.copyfile(base.with_suffix(".png"), RESULTS / "latest.png")
        written += [str(RESULTS / "latest.md"), str(RESULTS / "latest.png")]
    return text, found, written
