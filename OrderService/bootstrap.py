"""OrderService's composition root: the ports its use cases get, built once per process."""

from dataclasses import dataclass
from functools import partial

from OrderService.business.charge import ChargePolicy, charge_order
from OrderService.business.charge_dispatcher import ChargeDispatcher
from OrderService.business.ports import (
    ChargeQueue,
    Customers,
    Deliveries,
    Kitchen,
    Orders,
    Payments,
)
from OrderService.clients.outside_clients import HttpCustomers, HttpDeliveries, HttpKitchen
from OrderService.clients.payment_client import HttpPayments
from OrderService.monitoring import StuckOrdersGauge
from OrderService.repository.cached_order_repository import CachedOrderRepository
from OrderService.repository.mongo_order_repository import COLLECTION, MongoOrderRepository
from OrderService.repository.redis_order_cache import RedisOrderCache
from OrderService.repository.stuck_orders import StuckOrders
from OrderService.settings import OrderSettings
from servicekit.runtime import Infrastructure


@dataclass(frozen=True)
class OrderPorts:
    orders: Orders
    charges: ChargeQueue
    payments: Payments
    customers: Customers
    deliveries: Deliveries
    kitchen: Kitchen


def build_ports(infra: Infrastructure, settings: OrderSettings) -> OrderPorts:
    """The adapters behind each port; the charge queue and the stuck-orders gauge run while
    the service runs."""
    stuck = StuckOrders(infra.mongo.db[COLLECTION], settings.stuck_after_s)
    infra.keep_running(StuckOrdersGauge(stuck.count, settings.stuck_check_interval_s))
    orders = CachedOrderRepository(
        MongoOrderRepository(infra.documents(COLLECTION), settings.charge_grace_s),
        RedisOrderCache(infra.cache, settings.order_cache_ttl_s),
    )
    payments = HttpPayments(infra.services)
    policy = ChargePolicy(max_attempts=settings.charge_max_attempts)
    charge = partial(charge_order, orders=orders, payments=payments, policy=policy)
    return OrderPorts(
        orders=orders,
        charges=infra.keep_running(ChargeDispatcher(charge, orders)),
        payments=payments,
        customers=HttpCustomers(infra.services),
        deliveries=HttpDeliveries(infra.services, settings.delivery_can_cancel),
        kitchen=HttpKitchen(infra.services),
    )
