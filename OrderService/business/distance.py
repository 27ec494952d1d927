"""Adding DistanceService's estimate to the order it is for."""

from loguru import logger

from OrderService.business.messages import DistanceCalculated
from OrderService.business.ports import Orders


async def apply_distance(event: DistanceCalculated, orders: Orders) -> bool:
    """Store the estimate on the order; False when the order is unknown (ignored)."""
    changes = {
        "distance_km": event.distance_km,
        "estimated_delivery_minutes": event.estimated_delivery_minutes,
    }
    if await orders.update(event.metadata.order_id, changes) is None:
        logger.bind(order_id=event.metadata.order_id).warning(
            "Distance for an unknown order ignored"
        )
        return False
    return True
