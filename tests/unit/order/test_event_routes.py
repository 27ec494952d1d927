"""OrderService's event table: every report it must follow has a route, and bodies are validated
once against the route's model before any use case runs."""

import pytest
from pydantic import ValidationError

from OrderService.business.messages import DistanceCalculated, OrderCancelled, StatusReport
from OrderService.business.state_machine import OrderStatus
from servicekit.broker import InboundMessage, MalformedMessage
from servicekit.contracts import OUTSIDE_REPORTS, status_event
from tests.unit.order.world import World


def test_every_outside_report_and_payment_event_has_a_status_route() -> None:
    routes = World().routes
    expected = {*OUTSIDE_REPORTS.values(), "payment.paymentPaid", "payment.paymentFailed"}
    assert {*expected, "payment.reimbursed"} <= set(routes)
    for key in expected:
        assert routes[key].model is StatusReport
        OrderStatus(key.split(".", 1)[1])  # each names a status of the order's life
    assert routes["distance.calculated"].model is DistanceCalculated
    assert routes["order.cancelled"].model is OrderCancelled


async def test_a_report_sent_to_the_queue_by_name_is_routed_by_its_status() -> None:
    world = World()
    order_id = await world.placed()
    event = status_event("payment.paymentPaid", "OrderService", order_id, "c1")
    await world.handle(InboundMessage("OrderService", event.body))
    assert world.status(order_id) == OrderStatus.DELIVERY_SCHEDULED


async def test_a_distance_without_numbers_is_malformed_and_changes_nothing() -> None:
    world = World()
    order_id = await world.placed()
    event = status_event("distance.calculated", "OrderService", order_id, "c1", distance_km=-1)
    with pytest.raises(ValidationError):  # the consumer dead-letters it at once
        await world.handle(InboundMessage(event.routing_key, event.body))
    assert world.order(order_id).distance_km is None


async def test_an_unknown_routing_key_and_status_is_malformed() -> None:
    event = status_event("kitchen.burnt", "OrderService", "o1", "c1")
    with pytest.raises(MalformedMessage):
        await World().handle(InboundMessage(event.routing_key, event.body))
