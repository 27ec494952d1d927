"""The customer: places, reads and cancels orders through OrderService's API."""

import uuid
from typing import Any

import httpx

from servicekit.contracts import Product
from simulator.parties.calls import Poll, Timeout, client, send

MENU = [product.value for product in Product]


class Customer:
    """Places, reads and cancels orders through OrderService's API."""

    def __init__(self, order_url: str, api_key: str) -> None:
        self.http = client(order_url, api_key)

    async def place(
        self, items: list[dict[str, Any]] | None = None, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        # Always with a key: a placement whose answer was lost is sent again without risk.
        headers = {"Idempotency-Key": idempotency_key or str(uuid.uuid4())}
        body = {
            "customer_id": str(uuid.uuid4()),
            "items": items or [{"product": MENU[0], "quantity": 1}],
        }
        answer = await send(self.http, "POST", "/v1/orders", json=body, headers=headers)
        if answer.status_code != 202:
            raise AssertionError(f"placing failed: {answer.status_code} {answer.text}")
        return answer.json()

    async def get(self, order_id: str) -> dict[str, Any]:
        answer = await send(self.http, "GET", f"/v1/orders/{order_id}")
        answer.raise_for_status()
        return answer.json()

    async def cancel(self, order_id: str) -> httpx.Response:
        return await send(self.http, "POST", f"/v1/orders/{order_id}/cancel")

    async def wait_for_status(
        self, order_id: str, *statuses: str, timeout_s: float = 30.0
    ) -> dict[str, Any]:
        poll = Poll(timeout_s, max_pause_s=0.1)  # orders are read from OrderService's cache
        while True:
            order = await self.get(order_id)
            if order["status"] in statuses:
                return order
            if poll.expired:
                raise Timeout(f"order {order_id} is {order['status']}, expected {statuses}")
            await poll.wait()

    async def close(self) -> None:
        await self.http.aclose()
