"""Traces: the span file's format and size, the exporter a setting chooses, span ids on log
lines. Spans come from a provider of the test's own, never the process's global one."""

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from loguru import logger
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, Status, StatusCode

from servicekit.logging import TEXT_FORMAT, setup_logging
from servicekit.span_file import JsonLinesSpanExporter
from servicekit.tracing import setup_tracing, span_exporter
from tests.unit.tracing_helpers import provider_into, tracing_settings

ORDER_ID = "5f0c7a4e-8a52-4d3e-9a57-1c2b3d4e5f60"


def test_the_span_file_has_one_json_line_per_span_in_the_agreed_format(tmp_path: Path) -> None:
    exporter = JsonLinesSpanExporter(tmp_path / "logs" / "spans-OrderService.jsonl", "x")
    tracer = provider_into(exporter).get_tracer("test")
    with tracer.start_as_current_span("GET /v1/orders/{order_id}", kind=SpanKind.SERVER) as parent:
        parent.set_attribute("order.id", ORDER_ID)
        with tracer.start_as_current_span("publish order.created", kind=SpanKind.PRODUCER) as child:
            child.set_attributes({"messaging.outcome": "confirmed", "path": "/a/b"})
            child.set_status(Status(StatusCode.ERROR, "unroutable"))
    exporter.shutdown()

    lines = (tmp_path / "logs" / "spans-OrderService.jsonl").read_text().splitlines()
    child_line, parent_line = (json.loads(line) for line in lines)  # a child ends first
    assert set(parent_line) == {
        "service", "name", "kind", "trace_id", "span_id", "parent_span_id",
        "start", "end", "duration_ms", "status", "attributes",
    }  # fmt: skip
    assert parent_line["service"] == "OrderService"  # from the resource
    assert (parent_line["name"], parent_line["kind"]) == ("GET /v1/orders/{order_id}", "SERVER")
    assert re.fullmatch("[0-9a-f]{32}", parent_line["trace_id"])
    assert re.fullmatch("[0-9a-f]{16}", parent_line["span_id"])
    assert parent_line["parent_span_id"] is None
    assert (parent_line["status"], parent_line["attributes"]) == ("UNSET", {"order.id": ORDER_ID})
    assert child_line["trace_id"] == parent_line["trace_id"]
    assert child_line["parent_span_id"] == parent_line["span_id"]
    assert (child_line["kind"], child_line["status"]) == ("PRODUCER", "ERROR")
    assert child_line["attributes"] == {"messaging.outcome": "confirmed", "path": "/a/b"}
    start, end = (datetime.fromisoformat(parent_line[key]) for key in ("start", "end"))
    assert re.search(r"T\d\d:\d\d:\d\d\.\d{6}\+00:00$", parent_line["start"])
    assert start.utcoffset().total_seconds() == 0
    assert parent_line["duration_ms"] == pytest.approx(
        (end - start).total_seconds() * 1000, abs=0.01
    )


def test_the_exporter_appends_to_an_existing_span_file(tmp_path: Path) -> None:
    path = tmp_path / "spans-OrderService.jsonl"
    for name in ("first", "second"):
        exporter = JsonLinesSpanExporter(path, "OrderService")
        provider_into(exporter).get_tracer("test").start_span(name).end()
        exporter.shutdown()
    assert [json.loads(line)["name"] for line in path.read_text().splitlines()] == [
        "first",
        "second",
    ]


def test_a_full_span_file_moves_aside_and_a_new_one_starts(tmp_path: Path) -> None:
    path = tmp_path / "spans-OrderService.jsonl"
    exporter = JsonLinesSpanExporter(path, "OrderService", max_bytes=1000)
    tracer = provider_into(exporter).get_tracer("test")
    names = [f"span-{number}" for number in range(12)]  # about 300 bytes each
    for name in names:
        tracer.start_span(name).end()
    exporter.shutdown()

    def names_in(file: Path) -> list[str]:
        return [json.loads(line)["name"] for line in file.read_text().splitlines()]

    kept = names_in(tmp_path / "spans-OrderService.1.jsonl") + names_in(path)
    assert kept == names[-len(kept) :]  # the newest, in order; the oldest were dropped
    assert len(kept) < len(names)
    assert path.stat().st_size <= 1000


def test_spans_go_over_otlp_when_an_endpoint_is_set_else_to_the_span_file(tmp_path) -> None:
    otlp = span_exporter(tracing_settings(otel_exporter_otlp_endpoint="http://127.0.0.1:4318/"))
    assert isinstance(otlp, OTLPSpanExporter)
    assert otlp._endpoint == "http://127.0.0.1:4318/v1/traces"
    local = span_exporter(tracing_settings(spans_dir=str(tmp_path)))
    assert isinstance(local, JsonLinesSpanExporter)
    assert local.path == tmp_path / "spans-OrderService.jsonl"
    local.shutdown()


def test_tracing_switched_off_sets_up_nothing() -> None:
    assert setup_tracing(tracing_settings(tracing_enabled=False)) is None


def test_log_lines_carry_the_current_span_ids_in_text_and_json() -> None:
    setup_logging("OrderService", level="INFO")
    text: list[str] = []
    records: list[str] = []
    sinks = [
        logger.add(text.append, format=TEXT_FORMAT, colorize=False),
        logger.add(records.append, serialize=True),
    ]
    tracer = provider_into(InMemorySpanExporter()).get_tracer("test")
    try:
        logger.info("outside any span")
        with tracer.start_as_current_span("work") as span:
            logger.bind(order_id="o-1").info("Order created -> paymentPaid")
    finally:
        for sink in sinks:
            logger.remove(sink)
    trace_id = format(span.get_span_context().trace_id, "032x")
    span_id = format(span.get_span_context().span_id, "016x")

    assert "trace=" not in text[0]
    assert f"| OrderService | trace={trace_id} span={span_id} | " in text[1]
    # Tests find state changes in the log by this pattern: it must keep matching.
    assert re.search(r"order=o-1 \| Order \w+ -> (\w+)$", text[1].rstrip("\n"))
    outside, inside = (json.loads(record)["record"]["extra"] for record in records)
    assert (outside["trace_id"], outside["span_id"]) == ("", "")
    assert (inside["trace_id"], inside["span_id"]) == (trace_id, span_id)
