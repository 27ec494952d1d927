"""An order as its cached copy in Redis: JSON with the times as ISO-8601 text."""

from datetime import datetime
from typing import Any

import ujson

from OrderService.business.charge_progress import ChargeProgress
from OrderService.business.models import Order
from OrderService.business.state_machine import OrderStatus


def encode(order: Order) -> str:
    def default(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        raise TypeError(type(value))

    document = {**order.__dict__, "status": order.status.value, "charge": order.charge.value}
    return ujson.dumps(document, default=default)


def decode(raw: str) -> Order:
    document = ujson.loads(raw)
    document["status"] = OrderStatus(document["status"])
    document["charge"] = ChargeProgress(document["charge"])
    for key in ("created_at", "updated_at"):
        document[key] = datetime.fromisoformat(document[key])
    for entry in document["history"]:
        entry["at"] = datetime.fromisoformat(entry["at"])
    return Order(**document)
