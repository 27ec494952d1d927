"""The pieces of one order's story: spans from the span files, and the records the services keep
(the order's and the payment's status history, the distance), each as a dated step."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ujson


@dataclass(frozen=True)
class Step:
    at: datetime
    service: str
    what: str
    trace_id: str = ""

    @property
    def order_key(self) -> tuple[datetime, int]:
        """Stored times have milliseconds only: within one millisecond, what was received comes
        first, then the call it made, then the change it stored, then what it published."""
        rank = next((r for prefix, r in RANKS if self.what.startswith(prefix)), 2)
        return self.at.replace(microsecond=self.at.microsecond // 1000 * 1000), rank


RANKS = (("answered", 0), ("consumed", 0), ("called", 1), ("published", 3))  # the rest: 2


def in_order(steps: Iterable[Step]) -> list[Step]:
    return sorted(steps, key=lambda step: step.order_key)


def _lines_with(paths: Iterable[Path], needles: set[str]) -> Iterator[dict[str, Any]]:
    """The spans of the files whose line mentions one of `needles` (a cheap text test first)."""
    for path in paths:
        with path.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                if any(needle in line for needle in needles):
                    try:
                        yield ujson.loads(line)
                    except ValueError:
                        continue  # a line cut short by a process that was killed


def order_spans(spans_dir: Path, order_id: str) -> list[dict[str, Any]]:
    """Every span of every trace that touched the order (its id on one of the trace's spans)."""
    paths = sorted(spans_dir.glob("spans-*.jsonl"))
    tagged = [
        span
        for span in _lines_with(paths, {order_id})
        if span.get("attributes", {}).get("order.id") == order_id
    ]
    traces = {span["trace_id"] for span in tagged}
    if not traces:
        return []
    return [span for span in _lines_with(paths, traces) if span.get("trace_id") in traces]


def _time(text: str) -> datetime:
    at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _http(span: dict[str, Any]) -> str | None:
    attributes = span.get("attributes", {})
    method = attributes.get("http.request.method")
    if not method:
        return None
    status = attributes.get("http.response.status_code")
    if span.get("kind") == "SERVER":
        route = attributes.get("http.route") or attributes.get("url.path") or span["name"]
        return f"answered {method} {route} -> {status}"
    url = attributes.get("url.full") or span["name"]
    return f"called {method} {url} -> {status}"


def _messaging(span: dict[str, Any]) -> str | None:
    attributes = span.get("attributes", {})
    key = attributes.get("messaging.rabbitmq.destination.routing_key")
    outcome = attributes.get("messaging.outcome", "?")
    if span.get("kind") == "PRODUCER":
        return f"published {key} ({outcome})"
    if span.get("kind") == "CONSUMER":
        attempt = int(attributes.get("messaging.rabbitmq.attempt", 0) or 0)
        retried = f", retry {attempt}" if attempt else ""
        queue = attributes.get("messaging.destination.name")
        return f"consumed {key} from {queue}{retried}: {outcome}"
    return None


def span_step(span: dict[str, Any], details: bool = False) -> Step | None:
    what = _messaging(span) or _http(span)
    if what is None:  # a database or cache call (with TRACE_DATABASE): shown with --all
        if not details:
            return None
        what = span["name"]
    return Step(_time(span["start"]), span.get("service", "?"), what, span.get("trace_id", ""))


def record_steps(order: dict | None, payment: dict | None, distance: dict | None) -> list[Step]:
    """The state changes the services stored, each with the time it was stored."""
    steps = []
    for entry in (order or {}).get("history", []):
        steps.append(Step(_as_utc(entry["at"]), "OrderService", f"order -> {entry['status']}"))
    for entry in (payment or {}).get("history", []):
        steps.append(Step(_as_utc(entry["at"]), "PaymentService", f"payment -> {entry['status']}"))
    if distance:
        km, minutes = distance["distance_km"], distance["estimated_delivery_minutes"]
        what = f"distance stored: {km} km, about {minutes} min"
        steps.append(Step(_as_utc(distance["calculated_at"]), "DistanceService", what))
    return steps


def _as_utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)
