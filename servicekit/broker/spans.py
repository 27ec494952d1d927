"""Publish and consume spans, and the trace context a message carries in its headers (W3C
`traceparent`), with the OpenTelemetry API: without a tracer provider they cost next to nothing.

Done by hand, not with opentelemetry-instrumentation-aio-pika: that one wraps every
`Exchange.publish` (a retry copy would get a new `traceparent` instead of keeping the message's)
and the queue's consumer callback (ours hands each message to a task of its own, which outlives a
cancelled callback), and it knows neither our span names nor `order.id` or the outcome.
"""

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from opentelemetry import context, propagate, trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer

SYSTEM = "messaging.system"
DESTINATION = "messaging.destination.name"
ROUTING_KEY = "messaging.rabbitmq.destination.routing_key"
MESSAGE_ID = "messaging.message.id"
ATTEMPT = "messaging.rabbitmq.attempt"
OUTCOME = "messaging.outcome"
ORDER_ID = "order.id"


def default_tracer() -> Tracer:
    """The broker's tracer from the process's provider (a no-op until one is installed)."""
    return trace.get_tracer("servicekit.broker")


def _attributes(destination: str, routing_key: str, order_id: str | None) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        SYSTEM: "rabbitmq",
        DESTINATION: destination,
        ROUTING_KEY: routing_key,
    }
    if order_id:
        attributes[ORDER_ID] = order_id
    return attributes


def publish_span(
    tracer: Tracer, routing_key: str, destination: str, order_id: str | None
) -> AbstractContextManager[Span]:
    """`publish <routing_key>` (PRODUCER), current while the message is built and sent."""
    return tracer.start_as_current_span(
        f"publish {routing_key}",
        kind=SpanKind.PRODUCER,
        attributes=_attributes(destination, routing_key, order_id),
    )


def consume_span(
    tracer: Tracer,
    headers: Mapping[str, Any],
    queue: str,
    routing_key: str,
    message_id: str | None,
    attempt: int,
) -> AbstractContextManager[Span]:
    """`consume <routing_key>` (CONSUMER), a child of the context the message's headers carry."""
    attributes = _attributes(queue, routing_key, None)
    attributes[ATTEMPT] = attempt
    if message_id:
        attributes[MESSAGE_ID] = message_id
    return tracer.start_as_current_span(
        f"consume {routing_key}",
        context=_extract(headers),
        kind=SpanKind.CONSUMER,
        attributes=attributes,
    )


def settled(span: Span, outcome: str, failed: bool) -> None:
    """Record how the message was settled (an error status when its handling failed)."""
    span.set_attribute(OUTCOME, outcome)
    if failed:
        span.set_status(Status(StatusCode.ERROR, outcome))


def with_trace_context(headers: Mapping[str, Any] | None) -> dict[str, Any]:
    """`headers` plus the current trace context (`traceparent`, `tracestate`)."""
    return {**(headers or {}), **trace_carrier()}


def trace_carrier() -> dict[str, str]:
    """The current trace context as a W3C carrier, to be stored (empty without a span)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


@contextmanager
def inside(carrier: Mapping[str, Any] | None) -> Iterator[None]:
    """Run the block in the trace context a stored carrier describes (none when it is empty)."""
    token = context.attach(_extract(carrier or {}))
    try:
        yield
    finally:
        context.detach(token)


def _extract(headers: Mapping[str, Any]) -> context.Context:
    # A sender may put anything in its headers: only text values can be trace context.
    carrier = {key: value for key, value in headers.items() if isinstance(value, str)}
    try:
        return propagate.extract(carrier, context=context.Context())
    except Exception:
        return context.Context()


def order_id_of(body: Any) -> str | None:
    """The `metadata.order_id` of a message body, when it has one."""
    metadata = body.get("metadata") if isinstance(body, Mapping) else None
    order_id = metadata.get("order_id") if isinstance(metadata, Mapping) else None
    return None if order_id is None else str(order_id)
