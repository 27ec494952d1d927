"""Numbers of a run: rates, percentiles, the per-second series and the raw JSON."""

import math
from collections.abc import Mapping
from typing import Any

from bench.workload.model import RunRecord, Samples
from simulator.report import percentile

SHARES = (0.5, 0.95, 0.99)


def ms(values: list[float], *shares: float) -> str:
    """Percentiles in ms, joined by ' / '."""
    return " / ".join(f"{percentile(values, share):.0f}" for share in shares) if values else "-"


def seconds(values: list[float], *shares: float) -> str:
    """Percentiles in s, joined by ' / '."""
    return " / ".join(f"{percentile(values, share):.2f}" for share in shares) if values else "-"


def rate(record: RunRecord) -> float:
    """Completed orders per second of wall time."""
    return len(record.completed) / record.wall_s if record.wall_s else 0.0


def post_p99(record: RunRecord) -> float | None:
    """POST /v1/orders p99 in ms (None without any POST)."""
    posts = record.latencies("post_order")
    return percentile(posts, 0.99) if posts else None


def per_second(record: RunRecord) -> list[dict[str, Any]]:
    """Orders done, requests and POST latency percentiles in each second of the run."""
    span = max(1, math.ceil(record.wall_s))
    done, gets = [0] * span, [0] * span
    posts: list[list[float]] = [[] for _ in range(span)]
    for at, _ in record.completed:
        done[min(span - 1, int(at))] += 1
    for at, latency in record.requests["post_order"]:
        posts[min(span - 1, int(at))].append(latency)
    for at, _ in record.requests["get_order"]:
        gets[min(span - 1, int(at))] += 1
    return [
        {
            "second": second,
            "orders_done": done[second],
            "get_orders": gets[second],
            "posts": len(posts[second]),
            **{
                f"post_p{int(share * 100)}_ms": percentile(posts[second], share)
                if posts[second]
                else None
                for share in SHARES
            },
        }
        for second in range(span)
    ]


def raw(record: RunRecord) -> dict[str, Any]:
    """A run as JSON: totals, the per-second series and every sample."""
    return {
        "label": record.label,
        "orders": record.orders,
        "concurrency": record.concurrency,
        "stored_before": record.stored_before,
        "wall_s": round(record.wall_s, 3),
        "cpu_s": round(record.cpu_s, 3),
        "completed": len(record.completed),
        "orders_per_s": round(rate(record), 3),
        "post_p99_ms": post_p99(record),
        "failures": dict(record.failures),
        "http_errors": dict(record.http_errors),
        "per_second": per_second(record),
        "completions": [[round(at, 3), round(life, 3)] for at, life in record.completed],
        "requests": rounded(record.requests),
        "steps": rounded(record.steps),
    }


def rounded(series: Mapping[str, Samples]) -> dict[str, list[list[float]]]:
    """Samples as JSON lists, seconds to the ms and latencies to 0.01 ms."""
    return {
        kind: [[round(at, 3), round(latency, 2)] for at, latency in samples]
        for kind, samples in series.items()
    }
