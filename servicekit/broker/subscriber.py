"""Typed subscribers: one table per service from routing key to (message model, handler).

The body is validated once against the route's model and the handler gets the model, never a
dict; a body that does not fit is malformed (dead-lettered at once, see the consumer). What the
route's handler returns is the consumer's answer: False means the message was ignored.
"""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from servicekit.broker.consumer import MessageHandler
from servicekit.broker.messages import InboundMessage
from servicekit.broker.routing import route_key
from servicekit.contracts import StatusMessage
from servicekit.keyed_lock import KeyedLock

M = TypeVar("M", bound=StatusMessage)


@dataclass(frozen=True)
class Route(Generic[M]):
    model: type[M]
    handle: Callable[[M], Awaitable[object]]


Routes = Mapping[str, Route[Any]]


def subscriber(routes: Routes, one_at_a_time_per_order: bool = True) -> MessageHandler:
    """The consumer's handler for `routes`. Events of one order are handled one at a time, in the
    order this instance received them (prefetch still lets many orders be handled at once)."""
    per_order = KeyedLock() if one_at_a_time_per_order else None

    async def handle(message: InboundMessage) -> object:
        route = routes[route_key(message, routes)]
        typed = route.model.model_validate(message.body)
        if per_order is None:
            return await route.handle(typed)
        async with per_order.hold(typed.metadata.order_id):
            return await route.handle(typed)

    return handle
