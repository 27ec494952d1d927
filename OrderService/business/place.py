"""Placing an order: store it with its `order.created` event, then have it charged."""

import hashlib
import uuid
from typing import Any

import ujson
from loguru import logger

from OrderService.business.errors import IdempotencyConflict
from OrderService.business.models import Order, Placed, PlaceOrder, order_event
from OrderService.business.ports import ChargeQueue, Orders
from OrderService.business.state_machine import OrderStatus
from servicekit.clock import now_ms


def request_fingerprint(customer_id: str, items: list[dict[str, Any]]) -> str:
    """What an Idempotency-Key stands for: the same key must come with the same request."""
    payload = ujson.dumps({"customer_id": customer_id, "items": items}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def new_order(command: PlaceOrder) -> Order:
    now = now_ms()
    return Order(
        id=str(uuid.uuid4()),
        customer_id=command.customer_id,
        items=command.items,
        status=OrderStatus.CREATED,
        created_at=now,
        updated_at=now,
        history=[{"status": OrderStatus.CREATED.value, "at": now}],
        idempotency_key=command.idempotency_key,
        request_fingerprint=request_fingerprint(command.customer_id, command.items),
    )


async def place_order(command: PlaceOrder, orders: Orders, charges: ChargeQueue) -> Placed:
    """Store a new order and hand it to the charge queue; a retry with the same
    Idempotency-Key gets the order stored the first time (and charges nothing again)."""
    order = new_order(command)
    stored = await orders.add(order, order_event(order, "order.created"))
    if stored.id != order.id:
        if stored.request_fingerprint != order.request_fingerprint:
            raise IdempotencyConflict("Idempotency-Key was already used for another request")
        logger.bind(order_id=stored.id).info("Idempotent retry: returning the stored order")
        return Placed(stored, is_new=False)
    logger.bind(order_id=stored.id).info("Order placed for customer {}", command.customer_id)
    charges.charge_soon(stored)
    return Placed(stored, is_new=True)
