"""The charge queue: placed orders charged in the background, and a sweep for the rest."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from loguru import logger

from OrderService.business.models import Order
from OrderService.business.ports import Orders
from servicekit.periodic import Periodic


@dataclass(eq=False)
class ChargeDispatcher:
    """The charge queue: hands each stored order to `charge` once, at once after placing and
    by a sweep for what could not be sent yet (PaymentService down, a process stopped)."""

    charge: Callable[[Order], Awaitable[None]]
    orders: Orders
    sweep_interval_s: float = 1.0
    lease_s: float = 30.0
    name = "charge-sweep"
    _in_flight: set[asyncio.Task[None]] = field(default_factory=set, init=False)

    def __post_init__(self) -> None:
        self._sweeper = Periodic(
            self.sweep, self.sweep_interval_s, "Charge sweep failed", "charge-sweeper"
        )

    def charge_soon(self, order: Order) -> None:
        """Charge in the background so that placing the order answers at once."""
        task = asyncio.create_task(self._charge(order))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _charge(self, order: Order) -> None:
        try:
            await self.charge(order)
        except Exception as error:  # MongoDB hiccup: the sweep picks the order up again
            logger.bind(order_id=order.id).warning("Charge attempt failed: {!r}", error)

    async def sweep(self) -> int:
        """Charge every order whose charge is due; returns how many were tried."""
        tried = 0
        while orders := await self.orders.orders_to_charge(datetime.now(UTC), self.lease_s):
            for order in orders:
                await self._charge(order)
            tried += len(orders)
        return tried

    @property
    def is_running(self) -> bool:
        return self._sweeper.is_running

    def start(self) -> None:
        self._sweeper.start()

    async def stop(self) -> None:
        await self._sweeper.stop()
        if self._in_flight:
            await asyncio.wait(self._in_flight, timeout=10)
