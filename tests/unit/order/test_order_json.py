"""GET's hand-written order JSON says exactly what the OrderResponse model would."""

import uuid
from datetime import UTC, datetime, timedelta, timezone

import ujson

from OrderService.business.models import Order
from OrderService.business.state_machine import OrderStatus
from OrderService.web.schemas import OrderResponse, order_json


def an_order(**changes) -> Order:
    created = datetime(2026, 12, 1, 14, 0, 0, 123000, tzinfo=UTC)
    values = dict(
        id=str(uuid.uuid4()),
        customer_id=str(uuid.uuid4()),
        items=[{"product": "Lasagna", "quantity": 2}],
        status=OrderStatus.DELIVERY_SCHEDULED,
        created_at=created,
        updated_at=created + timedelta(seconds=1),
        history=[
            {"status": "created", "at": created},
            {"status": "paymentPaid", "at": created.replace(microsecond=0)},
            {"status": "deliveryScheduled", "at": created + timedelta(seconds=1)},
        ],
        delivery_id="d-1",
        distance_km=398.2,
        estimated_delivery_minutes=21.0,
    )
    return Order(**{**values, **changes})


def test_order_json_matches_the_response_model_field_for_field() -> None:
    order = an_order()
    assert ujson.loads(order_json(order)) == ujson.loads(OrderResponse.of(order).model_dump_json())


def test_order_json_matches_the_model_with_empty_fields_and_other_time_zones() -> None:
    plus_two = timezone(timedelta(hours=2))
    order = an_order(
        delivery_id=None,
        distance_km=None,
        estimated_delivery_minutes=None,
        failure_reason="card refused: ünïcode",
        updated_at=datetime(2026, 12, 1, 16, 0, tzinfo=plus_two),
    )
    assert ujson.loads(order_json(order)) == ujson.loads(OrderResponse.of(order).model_dump_json())
