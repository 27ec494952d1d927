"""Reading and removing orders."""

from loguru import logger

from OrderService.business.errors import OrderNotFound
from OrderService.business.models import Order, OrderQuery, Page
from OrderService.business.ports import Orders


async def get_order(order_id: str, orders: Orders) -> Order:
    order = await orders.get(order_id)
    if order is None:
        raise OrderNotFound(f"order {order_id} not found")
    return order


async def list_orders(query: OrderQuery, orders: Orders) -> Page:
    return await orders.list(query)


async def delete_order(order_id: str, orders: Orders) -> None:
    if not await orders.delete(order_id):
        raise OrderNotFound(f"order {order_id} not found")
    logger.bind(order_id=order_id).info("Order deleted")
