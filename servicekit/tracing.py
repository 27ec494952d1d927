"""Traces (OpenTelemetry): one tracer provider per process, its exporter chosen by a setting, a
server span per request (servicekit.server_spans), a client span per httpx call
(servicekit.client_spans), and on demand a span per MongoDB command and Redis call.

Spans go over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, else to the JSON-lines file
`<SPANS_DIR>/spans-<service>.jsonl` (servicekit.span_file). Log lines carry the current span's
ids (servicekit.logging).
"""

from pathlib import Path

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

from servicekit.client_spans import trace_httpx_calls
from servicekit.server_spans import ORDER_ID, ServerSpans
from servicekit.settings import ServiceSettings
from servicekit.span_file import JsonLinesSpanExporter

__all__ = ["flush_spans", "instrument_app", "setup_tracing", "span_exporter", "tag_current_span"]

_provider: TracerProvider | None = None  # the process's, once setup_tracing has run


def tag_current_span(order_id: str) -> None:
    """Put `order.id` on the current span (a no-op when there is none or tracing is off)."""
    trace.get_current_span().set_attribute(ORDER_ID, order_id)


def instrument_app(
    app: FastAPI, settings: ServiceSettings, provider: TracerProvider | None = None
) -> None:
    """A server span per request (not for /metrics and /health*), from `provider` or else the
    process's: cheap until the lifespan's `setup_tracing` installs it (spans record nothing)."""
    if settings.tracing_enabled:
        app.add_middleware(ServerSpans, tracer_provider=provider, trace_reads=settings.trace_reads)


def setup_tracing(settings: ServiceSettings) -> TracerProvider | None:
    """The process's tracer provider, exporting in batches (made on the first call, None when
    tracing is off); traces httpx calls, and pymongo and Redis when `TRACE_DATABASE` is set.

    Call it before the MongoDB client is made: pymongo's listeners are fixed at creation.
    """
    global _provider
    if not settings.tracing_enabled:
        return None
    if _provider is None:
        provider = TracerProvider(
            resource=Resource.create({SERVICE_NAME: settings.service_name}),
            sampler=ParentBased(TraceIdRatioBased(settings.trace_sample_ratio)),
        )
        # Exported each second (not the default 5 s) so that ops.timeline sees an order soon.
        processor = BatchSpanProcessor(span_exporter(settings), schedule_delay_millis=1000)
        provider.add_span_processor(processor)
        trace.set_tracer_provider(provider)
        _instrument_libraries(provider, settings.trace_database)
        _provider = provider
    return _provider


def flush_spans(timeout_s: float = 5.0) -> None:
    """Export the spans still waiting (at the end of the lifespan)."""
    if _provider is not None:
        _provider.force_flush(int(timeout_s * 1000))


def span_exporter(settings: ServiceSettings) -> SpanExporter:
    """OTLP/HTTP to the configured collector, else the local span file."""
    endpoint = settings.otel_exporter_otlp_endpoint
    if endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        # The variable names the collector's base URL; traces go to its /v1/traces path.
        return OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces")
    path = Path(settings.spans_dir) / f"spans-{settings.service_name}.jsonl"
    return JsonLinesSpanExporter(path, settings.service_name, settings.spans_max_mb * 2**20)


def _instrument_libraries(provider: TracerProvider, database: bool) -> None:
    trace_httpx_calls(provider.get_tracer("servicekit.client_spans"))
    if database:
        from opentelemetry.instrumentation.pymongo import PymongoInstrumentor
        from opentelemetry.instrumentation.redis import RedisInstrumentor

        PymongoInstrumentor().instrument(tracer_provider=provider)
        RedisInstrumentor().instrument(tracer_provider=provider)
