"""The workload chart: orders/s and POST latency over run time, and against stored orders."""

import math
from pathlib import Path
from typing import Any

from bench.workload.model import RunRecord
from bench.workload.stats import per_second, post_p99, rate

LATENCY_COLORS = (("p50", "tab:blue"), ("p95", "tab:orange"), ("p99", "tab:red"))
LEVEL_TICKS = [1_000, 10_000, 100_000, 1_000_000]


def short(count: float) -> str:
    """1000 -> '1k', 101206 -> '101k'."""
    return (
        f"{count / 1e6:.3g}M"
        if count >= 1e6
        else f"{count / 1e3:.3g}k"
        if count >= 1e3
        else f"{count:.0f}"
    )


def draw_timeline(axis: Any, records: list[RunRecord], targets: dict[str, float]) -> None:
    """Orders done per second (bars) and POST p50/p95/p99 by second sent, runs end to end."""
    latency_axis, offset = axis.twinx(), 0.0
    for number, record in enumerate(records):
        series = per_second(record)
        xs = [offset + point["second"] for point in series]
        done = [point["orders_done"] for point in series]
        label = "orders done per second" if number == 0 else None
        axis.bar(xs, done, width=0.9, align="edge", color="tab:green", alpha=0.4, label=label)
        mean = "orders/s, 3 s mean" if number == 0 else None
        axis.plot([x + 0.5 for x in xs], rolling(done), "-", color="darkgreen", lw=2, label=mean)
        for key, color in LATENCY_COLORS:
            ys = [math.nan if p[f"post_{key}_ms"] is None else p[f"post_{key}_ms"] for p in series]
            name = f"POST /v1/orders {key}" if number == 0 else None
            latency_axis.plot([x + 0.5 for x in xs], ys, "-", color=color, lw=1.4, label=name)
        if number:
            axis.axvline(offset, color="grey", linestyle=":")
        text = f"{record.label}\n{rate(record):.1f} orders/s"
        axis.text(offset + 0.5, 0.97, text, transform=axis.get_xaxis_transform(), va="top")
        offset += len(series)
    draw_targets(axis, latency_axis, targets)
    axis.set(xlabel="seconds of run time (runs end to end)", ylabel="orders done per second")
    axis.set_xlim(0, offset)
    axis.set_ylim(0, max(axis.get_ylim()[1], targets.get("orders_per_s", 0)) * 1.25)
    latency_axis.set_ylabel("POST /v1/orders latency (ms), by second sent")
    latency_axis.set_ylim(0, latency_axis.get_ylim()[1] * 1.25)
    legend_below(axis, latency_axis)


def draw_stored(axis: Any, records: list[RunRecord], targets: dict[str, float]) -> None:
    """Orders/s and POST p99 of each run against the orders stored before it (log x)."""
    xs = [max(record.stored_before or 0, 1) for record in records]
    latency_axis = axis.twinx()
    rates = [rate(record) for record in records]
    axis.plot(xs, rates, "o-", color="tab:green", ms=8, label="orders/s")
    p99 = [post_p99(record) or math.nan for record in records]
    latency_axis.plot(xs, p99, "s--", color="tab:red", ms=7, label="POST /v1/orders p99 (ms)")
    low, high = min([*xs, 1_000]) / 2, max([*xs, 100_000]) * 2
    for number, (x, y) in enumerate(zip(xs, rates, strict=True)):
        near = sum(abs(math.log(x / other)) < 0.4 for other in xs[:number])  # stack, not overlap
        axis.annotate(f"{y:.1f}/s, p99 {p99[number]:.0f} ms", (x, y), ha="center",
                      xytext=(0, -14 * near - 16), textcoords="offset points",
                      fontsize="small")  # fmt: skip
    draw_targets(axis, latency_axis, targets)
    axis.set_xscale("log")
    axis.set_xlim(low, high)
    axis.set_xticks([tick for tick in LEVEL_TICKS if low <= tick <= high])
    axis.set_xticklabels([short(tick) for tick in LEVEL_TICKS if low <= tick <= high])
    axis.set(xlabel="orders stored before the run (log scale)", ylabel="orders per second")
    latency_axis.set_ylabel("POST /v1/orders p99 (ms)")
    axis.set_ylim(0, max([*rates, targets.get("orders_per_s", 0)]) * 1.3 or 1)
    latency_axis.set_ylim(0, max([v for v in p99 if not math.isnan(v)] + [targets.get(
        "post_p99_ms", 0)]) * 1.3 or 1)  # fmt: skip
    legend_below(axis, latency_axis)


def rolling(values: list[int], width: int = 3) -> list[float]:
    """The mean of each value and its neighbours (`width` values, fewer at the ends)."""
    half = width // 2
    return [
        sum(values[max(0, i - half) : i + half + 1]) / len(values[max(0, i - half) : i + half + 1])
        for i in range(len(values))
    ]


def draw_targets(axis: Any, latency_axis: Any, targets: dict[str, float]) -> None:
    """The targets as horizontal lines: orders/s on the left axis, POST p99 on the right."""
    if "orders_per_s" in targets:
        rate_label = f"target: {targets['orders_per_s']:.0f} orders/s"
        axis.axhline(targets["orders_per_s"], color="tab:green", ls="--", lw=1, label=rate_label)
    if "post_p99_ms" in targets:
        p99_label = f"target: p99 {targets['post_p99_ms']:.0f} ms"
        latency_axis.axhline(targets["post_p99_ms"], color="tab:red", ls=":", lw=1.2,
                             label=p99_label)  # fmt: skip


def legend_below(axis: Any, latency_axis: Any) -> None:
    """One legend for both y axes, under the panel, out of the data's way."""
    handles, labels = axis.get_legend_handles_labels()
    more_handles, more_labels = latency_axis.get_legend_handles_labels()
    axis.legend(handles + more_handles, labels + more_labels, loc="upper center", ncol=4,
                bbox_to_anchor=(0.5, -0.13), fontsize="small", frameon=False)  # fmt: skip


def chart(
    records: list[RunRecord], path: Path, title: str, targets: dict[str, float] | None = None
) -> None:
    """The PNG: the run timeline, and the runs against stored orders when there are several."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    targets = targets or {}
    panels = 2 if len(records) > 1 else 1
    figure, axes = pyplot.subplots(panels, 1, figsize=(12, 4.8 * panels + 0.6), squeeze=False)
    draw_timeline(axes[0][0], records, targets)
    axes[0][0].set_title("Orders done per second and POST /v1/orders latency over run time")
    if panels == 2:
        draw_stored(axes[1][0], records, targets)
        axes[1][0].set_title("Each run against the orders stored before it")
    figure.suptitle(title, fontsize="large", fontweight="bold")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    pyplot.close(figure)
