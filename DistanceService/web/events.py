"""The event entry point: one table from routing key to (message model, use case)."""

from functools import partial

from DistanceService.bootstrap import DistancePorts
from DistanceService.business.distances import calculate_distance
from DistanceService.business.messages import OrderCreated
from servicekit.broker import Route, Routes


def event_routes(ports: DistancePorts) -> Routes:
    calculate = partial(
        calculate_distance,
        distances=ports.distances,
        customers=ports.customers,
        restaurant=ports.restaurant,
    )
    return {"order.created": Route(OrderCreated, calculate)}
