"""The event entry point: one table from routing key to (message model, use case)."""

from functools import partial

from OrderService.bootstrap import OrderPorts
from OrderService.business.bookings import book_delivery, book_kitchen
from OrderService.business.cancel import reimburse_once, undo_after_cancel
from OrderService.business.distance import apply_distance, apply_distance_unavailable
from OrderService.business.messages import (
    DistanceCalculated,
    DistanceUnavailable,
    OrderCancelled,
    StatusReport,
)
from OrderService.business.state_machine import OrderStatus as S
from OrderService.business.status import FollowUp, apply_status
from servicekit.broker import Route, Routes


def event_routes(ports: OrderPorts) -> Routes:
    orders = ports.orders

    def status(
        target: S, follow_up: FollowUp | None = None, if_cancelled: FollowUp | None = None
    ) -> Route:
        hooks = {"follow_up": follow_up, "if_cancelled": if_cancelled}
        return Route(StatusReport, partial(apply_status, target=target, orders=orders, **hooks))

    book_driver = partial(
        book_delivery, orders=orders, customers=ports.customers, deliveries=ports.deliveries
    )
    give_back = partial(reimburse_once, orders=orders, payments=ports.payments)
    return {
        "payment.paymentPaid": status(S.PAYMENT_PAID, book_driver, if_cancelled=give_back),
        "payment.paymentFailed": status(S.PAYMENT_FAILED),
        "payment.reimbursed": status(S.REIMBURSED),
        "delivery.driverAvailable": status(
            S.DRIVER_AVAILABLE, partial(book_kitchen, orders=orders, kitchen=ports.kitchen)
        ),
        "kitchen.cookingMeal": status(S.COOKING_MEAL),
        "kitchen.cookingDone": status(S.COOKING_DONE),
        "kitchen.pickedUp": status(S.PICKED_UP),
        "delivery.inTransit": status(S.IN_TRANSIT),
        "delivery.delivered": status(S.DELIVERED),
        "distance.calculated": Route(DistanceCalculated, partial(apply_distance, orders=orders)),
        "distance.unavailable": Route(
            DistanceUnavailable, partial(apply_distance_unavailable, orders=orders)
        ),
        # Our own event: undo the delivery booking and the payment of a cancelled order.
        "order.cancelled": Route(
            OrderCancelled,
            partial(
                undo_after_cancel,
                orders=orders,
                deliveries=ports.deliveries,
                payments=ports.payments,
            ),
        ),
    }
