"""What a status triggers: a paid order books its delivery, a driver books the kitchen."""

from loguru import logger

from OrderService.business.models import Order
from OrderService.business.ports import Customers, Deliveries, Kitchen, Orders
from OrderService.business.state_machine import OrderStatus


async def book_delivery(
    order: Order, orders: Orders, customers: Customers, deliveries: Deliveries
) -> None:
    log = logger.bind(order_id=order.id)
    address = await customers.address(order.customer_id)
    delivery_id = await deliveries.book(order, address)
    booked = await orders.transition(
        order.id,
        {OrderStatus.PAYMENT_PAID},
        OrderStatus.DELIVERY_SCHEDULED,
        {"delivery_id": delivery_id},
    )
    if booked is not None:
        log.info("Delivery booked: {}", delivery_id)
        return
    current = await orders.load(order.id)
    if current is not None and current.delivery_id == delivery_id:
        # A duplicate of this event stored the same booking (same Idempotency-Key): it is the
        # order's delivery, keep it (a cancel of the order undoes it).
        log.info("Delivery {} was stored by a duplicate event", delivery_id)
        return
    # Cancelled while we booked (or another booking was stored): undo ours.
    problem = await deliveries.cancel(delivery_id)
    if problem is None:
        log.info("Delivery {} cancelled again", delivery_id)
        return
    log.warning("Delivery {} not cancelled, the booking stays: {}", delivery_id, problem)
    await orders.update(order.id, {"delivery_not_cancelled": f"{delivery_id}: {problem}"})


async def book_kitchen(order: Order, orders: Orders, kitchen: Kitchen) -> None:
    log = logger.bind(order_id=order.id)
    kitchen_id = await kitchen.book(order)
    booked = await orders.transition(
        order.id,
        {OrderStatus.DRIVER_AVAILABLE},
        OrderStatus.COOKING_SCHEDULED,
        {"kitchen_id": kitchen_id},
    )
    if booked is None:  # a duplicate event booked it first; KitchenService has no cancel
        log.warning("Kitchen booking {} not used: the order was booked already", kitchen_id)
        return
    log.info("Kitchen booked: {}", kitchen_id)
