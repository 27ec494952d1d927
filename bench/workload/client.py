"""The outside parties of an order: the customer, the card company, transport and kitchen."""

import asyncio
import random
import time
import uuid
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import ujson

from bench.workload.model import MENU, POLL_S, RANK, OrderFailed, RunRecord
from OrderService.business.state_machine import OrderStatus
from servicekit.broker import EventPublisher
from servicekit.contracts import status_event
from servicekit.webhooks import WebhookSigner


@dataclass
class Life:
    """One order in flight: its ids and the step it is waiting for."""

    order_id: str = ""
    customer_id: str = ""
    payment_id: str = ""
    stage: str = "POST /v1/orders"


class Client:
    """The outside parties over one aiohttp session and one confirming broker channel."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        urls: Mapping[str, str],
        publisher: EventPublisher,
        signer: WebhookSigner,
        record: RunRecord,
        rng: random.Random,
    ) -> None:
        """The parties share one session, one publisher, the card company's signer, the run's
        record and its random items."""
        self.session = session
        self.order_url = urls["OrderService"]
        self.payment_url = urls["PaymentService"]
        self.publisher = publisher
        self.signer = signer
        self.record = record
        self.rng = rng

    async def call(
        self, kind: str, method: str, url: str, body: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[int, Any]:
        """One request; its latency (body read included) is recorded under `kind`."""
        sent = time.perf_counter()
        async with self.session.request(method, url, json=body, **kw) as answer:
            raw = await answer.read()
        self.record.add(self.record.requests[kind], sent)
        if answer.status >= 300:
            expected = kind == "get_payment" and answer.status == 404  # not charged yet
            self.record.http_errors[f"{kind} {answer.status}" + " (expected)" * expected] += 1
            return answer.status, raw.decode(errors="replace")[:200]
        return answer.status, ujson.loads(raw) if raw else None

    async def poll(self, kind: str, url: str) -> dict[str, Any] | None:
        """A GET that a waiting loop may repeat: errors are counted, never raised."""
        try:
            status, body = await self.call(kind, "GET", url)
        except (aiohttp.ClientError, TimeoutError) as error:
            self.record.http_errors[f"{kind} {type(error).__name__}"] += 1
            return None
        return body if status == 200 else None

    async def place(self, life: Life) -> None:
        """POST /v1/orders: anything but 202 fails the order."""
        customer_id = str(uuid.uuid4())
        lines = self.rng.sample(MENU, self.rng.randint(1, 3))
        body = {
            "customer_id": customer_id,
            "items": [{"product": name, "quantity": self.rng.randint(1, 3)} for name in lines],
        }
        headers = {"Idempotency-Key": str(uuid.uuid4())}  # as the simulator's customer does
        status, order = await self.call(
            "post_order", "POST", f"{self.order_url}/v1/orders", body, headers=headers
        )
        if status != 202:
            raise OrderFailed(f"POST /v1/orders {status}")
        life.order_id, life.customer_id = order["id"], order["customer_id"]

    async def wait_payment(self, life: Life) -> None:
        """Read the payment every 100 ms until it is `pending` (the card company was asked)."""
        life.stage = "payment pending"
        url = f"{self.payment_url}/v1/payments/{life.order_id}"
        while True:
            payment = await self.poll("get_payment", url)
            if payment is not None and payment["status"] == "pending":
                life.payment_id = payment["payment_id"]
                return
            await asyncio.sleep(POLL_S)

    async def pay(self, life: Life) -> None:
        """The card company's callback, signed as it signs them: the payment is paid."""
        life.stage = "payment callback"
        body, headers = self.signer.signed_json(
            {
                "status": "paymentPaid",
                "caller_id": life.payment_id,
                "transaction_id": str(uuid.uuid4()),
            }
        )
        url = f"{self.payment_url}/v1/payments/callback"
        status, _ = await self.call("callback", "POST", url, data=body, headers=headers)
        if status >= 300:
            raise OrderFailed(f"POST /v1/payments/callback {status}")

    async def wait_order(self, life: Life, target: str) -> None:
        """Read the order every 100 ms until it reached `target` (or a later happy step)."""
        life.stage = f"order {target}"
        url = f"{self.order_url}/v1/orders/{life.order_id}"
        while True:
            order = await self.poll("get_order", url)
            if order is not None:
                if order["status"] not in RANK:
                    raise OrderFailed(f"order ended {order['status']} (waiting for {target})")
                if RANK[order["status"]] >= RANK[target]:
                    return
            await asyncio.sleep(POLL_S)

    async def report(self, life: Life, routing_key: str) -> None:
        """The transport company or the restaurant: one status event, confirmed by the broker."""
        life.stage = f"publish {routing_key}"
        event = status_event(routing_key, "OrderService", life.order_id, life.customer_id)
        sent = time.perf_counter()
        await self.publisher.publish(event.routing_key, event.body)
        self.record.add(self.record.requests["publish"], sent)

    async def paid(self, life: Life) -> None:
        """Call back paid, then wait until a delivery is booked."""
        await self.pay(life)
        await self.wait_order(life, OrderStatus.DELIVERY_SCHEDULED.value)

    async def advance(self, life: Life, routing_key: str, wait_for: str) -> None:
        """Report one status, then wait until the order shows it (or a later step)."""
        await self.report(life, routing_key)
        await self.wait_order(life, wait_for)

    async def timed(self, name: str, step: Awaitable[None]) -> None:
        """Await one step of the life; its duration is recorded under `name`."""
        started = time.perf_counter()
        await step
        self.record.add(self.record.steps[name], started)
