"""Orders that have not moved for longer than their status normally takes, counted and listed
from MongoDB by index scans over the orders in one status (never over the ended ones)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection

from OrderService.business.state_machine import OrderStatus


@dataclass(frozen=True)
class StuckOrder:
    id: str
    status: OrderStatus
    customer_id: str
    since: datetime  # its last change


def stuck_query(status: OrderStatus, cutoff: datetime) -> dict[str, Any]:
    """Orders in `status` that have not changed since `cutoff`."""
    if status == OrderStatus.ORDER_CANCELLED:
        # Only a paid order waits here, for its reimbursement; an unpaid one has ended.
        # (The partial index of cancelled orders by history.status answers it.)
        paid = OrderStatus.PAYMENT_PAID.value
        return {"status": status.value, "history.status": paid, "updated_at": {"$lt": cutoff}}
    # An order changes only after it was created: created_at bounds the {status, created_at}
    # index scan to the orders that can be stuck.
    return {"status": status.value, "created_at": {"$lt": cutoff}, "updated_at": {"$lt": cutoff}}


class StuckOrders:
    """The stuck orders of the statuses in `thresholds` (status -> seconds without a change)."""

    def __init__(
        self, orders: AsyncCollection[Mapping[str, Any]], thresholds: Mapping[OrderStatus, float]
    ) -> None:
        self._orders = orders
        self.thresholds = dict(thresholds)

    def query(self, status: OrderStatus, now: datetime) -> dict[str, Any]:
        return stuck_query(status, now - timedelta(seconds=self.thresholds[status]))

    async def count(self, now: datetime) -> dict[OrderStatus, int]:
        """How many orders are stuck in each status (0 included)."""
        return {
            status: await self._orders.count_documents(self.query(status, now))
            for status in self.thresholds
        }

    async def oldest(self, now: datetime, limit: int) -> list[StuckOrder]:
        """The `limit` stuck orders that have not moved for the longest, oldest first."""
        found: list[StuckOrder] = []
        for status in self.thresholds:
            cursor = self._orders.find(
                self.query(status, now), {"customer_id": 1, "updated_at": 1}
            ).sort("updated_at", ASCENDING)
            async for document in cursor.limit(limit):
                customer, since = document["customer_id"], document["updated_at"]
                found.append(StuckOrder(str(document["_id"]), status, customer, since))
        return sorted(found, key=lambda order: order.since)[:limit]
