"""The event entry point: one table from routing key to what the workflow does with it."""

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from DistanceService.business.distances import DistanceWorkflow
from servicekit.broker import (
    InboundMessage,
    MessageHandler,
    Metadata,
    StatusMessage,
    route,
)


class OrderMetadata(Metadata):
    # Ids are UUIDs; anything else can never be calculated, so it is dead-lettered at once.
    order_id: UUID
    customer_id: UUID


class OrderCreated(StatusMessage):
    """`order.created` as OrderService publishes it; only the ids matter here."""

    metadata: OrderMetadata


async def _order_created(workflow: DistanceWorkflow, body: dict[str, Any]) -> None:
    message = OrderCreated.model_validate(body)
    await workflow.calculate_for_order(
        str(message.metadata.order_id), str(message.metadata.customer_id)
    )


HANDLERS: dict[str, Callable[[DistanceWorkflow, dict[str, Any]], Awaitable[None]]] = {
    "order.created": _order_created,
}
BINDING_KEYS = list(HANDLERS)


def distance_event_handler(workflow: DistanceWorkflow) -> MessageHandler:
    async def handle(message: InboundMessage) -> None:
        key, _ = route(message, HANDLERS)
        await HANDLERS[key](workflow, message.body)

    return handle
