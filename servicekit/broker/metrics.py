"""Prometheus metrics of the messages a process consumes and publishes (the default registry,
served by `GET /metrics`). Label children are looked up once and kept: counting a message costs
a dictionary lookup and an increment."""

import weakref
from typing import Any, Protocol

from prometheus_client import Counter, Gauge, Histogram

from servicekit.metrics import labelled

# How a consumed message was settled: acked after its handler, acked though its handler ignored
# it (returned False), sent to a retry queue (or given back to the queue), dead-lettered after
# its retries, dead-lettered at once as malformed.
ACK, IGNORED, RETRY = "ack", "ignored", "retry"
DEAD_LETTERED, MALFORMED = "dead_lettered", "malformed"
# What became of a published message.
CONFIRMED, UNROUTABLE, UNAVAILABLE = "confirmed", "unroutable", "unavailable"

CONSUMED = Counter(
    "messages_consumed_total",
    "Messages consumed, by how they were settled",
    ["queue", "routing_key", "outcome"],
)
HANDLING = Histogram(
    "message_handling_seconds",
    "Time a message's handler took",
    ["queue", "routing_key"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
IN_FLIGHT = Gauge("messages_in_flight", "Messages being handled now", ["queue"])
SUBSCRIBED = Gauge(
    "consumer_subscribed",
    "1 while the queue's consumer is subscribed (its watchdog's verdict, the connection up)",
    ["queue"],
)
PUBLISHED = Counter(
    "messages_published_total",
    "Messages published, by what the broker did with them",
    ["routing_key", "outcome"],
)


def count_consumed(queue: str, routing_key: str, outcome: str) -> None:
    labelled(CONSUMED, queue, routing_key, outcome).inc()


def observe_handling(queue: str, routing_key: str, seconds: float) -> None:
    labelled(HANDLING, queue, routing_key).observe(seconds)


def count_published(routing_key: str, outcome: str) -> None:
    labelled(PUBLISHED, routing_key, outcome).inc()


def in_flight_gauge(queue: str) -> Any:
    """The `messages_in_flight` gauge of `queue` (inc when a message starts, dec when done)."""
    return labelled(IN_FLIGHT, queue)


class Subscribed(Protocol):
    @property
    def is_active(self) -> bool: ...


_subscriptions: dict[str, "weakref.WeakSet[Any]"] = {}


def track_subscription(queue: str, subscription: Subscribed) -> None:
    """`consumer_subscribed{queue}` reads 1 while a subscription of `queue` in this process is
    active; read at each scrape, so it follows a lost connection at once."""
    tracked = _subscriptions.get(queue)
    if tracked is None:
        tracked = _subscriptions[queue] = weakref.WeakSet()
        labelled(SUBSCRIBED, queue).set_function(
            lambda: float(any(each.is_active for each in list(tracked)))
        )
    tracked.add(subscription)
