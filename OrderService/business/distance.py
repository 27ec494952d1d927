"""Adding DistanceService's estimate to the order it is for."""

from typing import Any

from loguru import logger

from OrderService.business.messages import DistanceCalculated, DistanceUnavailable
from OrderService.business.ports import Orders


async def apply_distance(event: DistanceCalculated, orders: Orders) -> bool:
    """Store the estimate on the order; False when the order is unknown (ignored)."""
    changes = {
        "distance_km": event.distance_km,
        "estimated_delivery_minutes": event.estimated_delivery_minutes,
    }
    return await _store(event.metadata.order_id, changes, orders)


async def apply_distance_unavailable(event: DistanceUnavailable, orders: Orders) -> bool:
    """Show on the order why it has no distance; False when the order is unknown (ignored)."""
    return await _store(event.metadata.order_id, {"distance_unavailable": event.reason}, orders)


async def _store(order_id: str, changes: dict[str, Any], orders: Orders) -> bool:
    if await orders.update(order_id, changes) is None:
        logger.bind(order_id=order_id).warning("Distance for an unknown order ignored")
        return False
    return True
