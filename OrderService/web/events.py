"""The event entry point: one table from routing key to what the workflow does with it."""

from collections.abc import Awaitable, Callable

from pydantic import Field

from OrderService.business.orders import OrderWorkflow
from OrderService.business.state_machine import OrderStatus
from servicekit.broker import InboundMessage, MessageHandler, StatusMessage, route
from servicekit.contracts import OUTSIDE_REPORTS
from servicekit.keyed_lock import KeyedLock

S = OrderStatus

# Status reports from PaymentService and the outside companies, and the status each one sets.
STATUS_EVENTS: dict[str, OrderStatus] = {
    "payment.paymentPaid": S.PAYMENT_PAID,
    "payment.paymentFailed": S.PAYMENT_FAILED,
    "payment.reimbursed": S.REIMBURSED,
    **{key: OrderStatus(status) for status, key in OUTSIDE_REPORTS.items()},
}


class DistanceMessage(StatusMessage):
    distance_km: float = Field(ge=0)
    estimated_delivery_minutes: float = Field(ge=0)


def _status(key: str) -> Callable[[OrderWorkflow, StatusMessage, dict], Awaitable[None]]:
    async def handle(workflow: OrderWorkflow, message: StatusMessage, body: dict) -> None:
        await workflow.apply_status(message.metadata.order_id, STATUS_EVENTS[key])

    return handle


async def _distance(workflow: OrderWorkflow, message: StatusMessage, body: dict) -> None:
    distance = DistanceMessage.model_validate(body)
    await workflow.add_distance(
        distance.metadata.order_id, distance.distance_km, distance.estimated_delivery_minutes
    )


async def _cancelled(workflow: OrderWorkflow, message: StatusMessage, body: dict) -> None:
    await workflow.undo_after_cancel(message.metadata.order_id)


HANDLERS: dict[str, Callable[[OrderWorkflow, StatusMessage, dict], Awaitable[None]]] = {
    **{key: _status(key) for key in STATUS_EVENTS},
    "distance.calculated": _distance,
    "order.cancelled": _cancelled,  # our own event: undo the booking and the payment
}
BINDING_KEYS = list(HANDLERS)


def order_event_handler(workflow: OrderWorkflow) -> MessageHandler:
    # Events of one order are handled one at a time, in the order this instance received them
    # (prefetch lets many orders be handled at once). Across instances the state machine's
    # "wait" verdict retries an event that overtook the one before it.
    per_order = KeyedLock()

    async def handle(message: InboundMessage) -> None:
        key, status_message = route(message, HANDLERS)
        async with per_order.hold(status_message.metadata.order_id):
            await HANDLERS[key](workflow, status_message, message.body)

    return handle
