"""The local span exporter: each finished span as one JSON line in a file (ops.timeline reads it).

Line format (fixed): {"service", "name", "kind", "trace_id" (32 hex), "span_id" (16 hex),
"parent_span_id" (16 hex or null), "start", "end" (ISO-8601 UTC, microseconds), "duration_ms",
"status" ("OK" | "ERROR" | "UNSET"), "attributes"}.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ujson
from opentelemetry.sdk.resources import SERVICE_NAME
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult


class JsonLinesSpanExporter(SpanExporter):
    """Appends each batch of finished spans to `path`, one JSON object per line; past
    `max_bytes` the file becomes `<stem>.1.jsonl` (replacing the one before) and a new one starts,
    so a long-running stack keeps at most about twice that much."""

    def __init__(self, path: Path, service: str, max_bytes: int = 64 * 2**20) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.previous = path.with_suffix(".1.jsonl")
        self._service = service
        self._max_bytes = max_bytes
        self._file = path.open("a", encoding="utf-8")

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        if self._file.closed:
            return SpanExportResult.FAILURE
        lines = [span_line(span, self._service) for span in spans]
        self._file.write("".join(lines))  # one write per batch: lines never interleave
        self._file.flush()
        if self._file.tell() > self._max_bytes:
            self._roll_over()
        return SpanExportResult.SUCCESS

    def _roll_over(self) -> None:
        self._file.close()
        self.path.replace(self.previous)
        self._file = self.path.open("a", encoding="utf-8")

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True  # every batch is flushed as it is written

    def shutdown(self) -> None:
        self._file.close()


def span_line(span: ReadableSpan, service: str) -> str:
    return ujson.dumps(span_record(span, service), escape_forward_slashes=False) + "\n"


def span_record(span: ReadableSpan, service: str) -> dict[str, Any]:
    """One line of the span file (`service` when the span's resource names none)."""
    context, parent = span.get_span_context(), span.parent
    start, end = span.start_time or 0, span.end_time or span.start_time or 0
    return {
        "service": span.resource.attributes.get(SERVICE_NAME, service),
        "name": span.name,
        "kind": span.kind.name,
        "trace_id": format(context.trace_id, "032x"),
        "span_id": format(context.span_id, "016x"),
        "parent_span_id": format(parent.span_id, "016x") if parent else None,
        "start": _iso(start),
        "end": _iso(end),
        "duration_ms": round((end - start) / 1e6, 3),
        "status": span.status.status_code.name,
        "attributes": dict(span.attributes or {}),
    }


def _iso(nanoseconds: int) -> str:
    """ISO-8601 UTC with microseconds, exact (a float of the nanoseconds would round them)."""
    seconds, rest = divmod(nanoseconds, 1_000_000_000)
    moment = datetime.fromtimestamp(seconds, UTC).replace(microsecond=rest // 1000)
    return moment.isoformat(timespec="microseconds")
