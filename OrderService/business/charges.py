"""Charging placed orders: at once after placing, and by a sweep for what could not be sent yet."""

import asyncio
from datetime import UTC, datetime

from loguru import logger

from OrderService.business.models import Order
from OrderService.business.orders import OrderWorkflow
from OrderService.business.ports import OrderRepository


class ChargeDispatcher:
    """Hands each stored order to PaymentService once; retries while PaymentService is down."""

    name = "charge-sweep"

    def __init__(
        self,
        workflow: OrderWorkflow,
        repository: OrderRepository,
        sweep_interval_s: float = 1.0,
        lease_s: float = 30.0,
    ) -> None:
        self._workflow = workflow
        self._repository = repository
        self._interval_s = sweep_interval_s
        self._lease_s = lease_s
        self._in_flight: set[asyncio.Task[None]] = set()
        self._sweeper: asyncio.Task[None] | None = None

    def charge_soon(self, order: Order) -> None:
        """Charge in the background so that placing the order answers at once."""
        task = asyncio.create_task(self._charge(order.id, order))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _charge(self, order_id: str, order: Order | None = None) -> None:
        try:
            await self._workflow.charge(order_id, order)
        except Exception as error:  # MongoDB hiccup: the sweep picks the order up again
            logger.bind(order_id=order_id).warning("Charge attempt failed: {!r}", error)

    async def sweep(self) -> int:
        """Charge every order whose charge is due; returns how many were tried."""
        tried = 0
        while orders := await self._repository.orders_to_charge(datetime.now(UTC), self._lease_s):
            for order in orders:
                await self._charge(order.id, order)
            tried += len(orders)
        return tried

    @property
    def is_running(self) -> bool:
        return self._sweeper is not None and not self._sweeper.done()

    def start(self) -> None:
        self._sweeper = asyncio.create_task(self._run(), name="charge-sweeper")

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
        if self._in_flight:
            await asyncio.wait(self._in_flight, timeout=10)

    async def _run(self) -> None:
        while True:
            try:
                await self.sweep()
            except Exception as error:
                logger.warning("Charge sweep failed: {!r}", error)
            await asyncio.sleep(self._interval_s)
