"""Where a failed message's copy goes: the next retry queue, or the dead letters (malformed, or
out of retries), with headers saying why and how often. The copy keeps every other header of
the message (its `traceparent` too: a retried message stays in its trace).

A message that failed only because MongoDB could not be reached spends no retry: it goes back
to the queue after a pause (`DatabaseWait`).
"""

from datetime import UTC, datetime
from typing import Any, NamedTuple

from aio_pika.abc import AbstractIncomingMessage
from loguru import logger

from servicekit.backoff import backoff_s
from servicekit.broker.decoding import (
    ATTEMPT_HEADER,
    EXCHANGE_HEADER,
    REASON_HEADER,
    ROUTING_KEY_HEADER,
    attempt,
    order_id,
)
from servicekit.broker.metrics import DEAD_LETTERED, MALFORMED, RETRY
from servicekit.broker.topology import ServiceQueue
from servicekit.mongo import unavailable_reason


class Failure(NamedTuple):
    target: str  # the queue the copy goes to
    headers: dict[str, Any]
    outcome: str  # retry, dead_lettered or malformed
    order_id: str | None


def route_failure(
    queue: ServiceQueue, raw: AbstractIncomingMessage, reason: str, retry: bool
) -> Failure:
    """The copy's queue and headers; `retry` is False for a message that can never be handled."""
    headers: dict[str, Any] = dict(raw.headers or {})
    attempts = attempt(headers)
    headers.setdefault(ROUTING_KEY_HEADER, raw.routing_key or "")
    headers.setdefault(EXCHANGE_HEADER, raw.exchange or "")
    order = order_id(raw) or None
    order_log = logger.bind(order_id=order)
    if retry and attempts < queue.max_retries:
        target = queue.retry_queue(attempts)
        headers[ATTEMPT_HEADER] = attempts + 1
        headers[REASON_HEADER] = reason
        order_log.warning(
            "Message {} on {!r} failed ({}), retry {}/{} via {}",
            raw.message_id,
            headers[ROUTING_KEY_HEADER],
            reason,
            attempts + 1,
            queue.max_retries,
            target,
        )
        return Failure(target, headers, RETRY, order)
    target = queue.dead_letter_queue
    headers[REASON_HEADER] = reason if not retry else f"{reason} (after {attempts} retries)"
    headers["x-failed-at"] = datetime.now(UTC).isoformat()
    order_log.error(
        "Message {} on {!r} dead-lettered to {}: {}",
        raw.message_id,
        headers[ROUTING_KEY_HEADER],
        target,
        headers[REASON_HEADER],
    )
    return Failure(target, headers, DEAD_LETTERED if retry else MALFORMED, order)


class DatabaseWait:
    """How long a message that met an unreachable database waits before it goes back to the
    queue: growing while the outage lasts (every message waiting holds its prefetch slot, so
    the consumer slows down instead of spinning), said once when it starts and once when a
    message is handled again."""

    def __init__(self, max_pause_s: float = 2.0) -> None:
        self.max_pause_s = max_pause_s
        self.waits = 0  # messages given back since the last one handled

    def pause_s(self, raw: AbstractIncomingMessage, error: BaseException) -> float:
        if self.waits == 0:
            logger.bind(order_id=order_id(raw) or None).warning(
                "MongoDB unavailable: messages go back to the queue until it answers "
                "(no retry spent): {}",
                unavailable_reason(error),
            )
        self.waits += 1
        return backoff_s(self.waits - 1, self.max_pause_s, first_s=0.25)

    def handled(self) -> None:
        if self.waits:
            logger.info("MongoDB answers again; {} message(s) had gone back meanwhile", self.waits)
            self.waits = 0
