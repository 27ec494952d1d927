"""The outside parties, each a thin client of our APIs or the broker."""

import asyncio
import time
import uuid
from typing import Any

import aio_pika
import httpx
import ujson
from aio_pika.exceptions import AMQPError, DeliveryError, PublishError

from servicekit.contracts import OUTSIDE_REPORTS, Product

API_KEY_HEADER = "X-API-Key"
# Idle connections are dropped before a server with the usual 5 s keep-alive closes them
# (a request on a connection the server is closing fails with "server disconnected").
POOL = httpx.Limits(max_connections=200, max_keepalive_connections=200, keepalive_expiry=4.0)
MENU = [product.value for product in Product]
# What the transport company and the restaurant report after a driver is found, in order.
AFTER_DRIVER = [
    (key, status) for status, key in OUTSIDE_REPORTS.items() if status != "driverAvailable"
]


# How long a party keeps trying to reach a service that is down (e.g. being restarted).
RIDE_OUT_S = 30.0
BROKER_RIDE_OUT_S = 60.0  # a RabbitMQ restart takes 10-20 s on a small machine


class Timeout(AssertionError):
    pass


class Poll:
    """Pauses between polls that grow from 25 ms to `max_pause_s`: quick answers for fast steps
    without hammering the services (and their database) while an order waits for a slow one."""

    def __init__(self, timeout_s: float, max_pause_s: float = 0.4) -> None:
        self.deadline = time.monotonic() + timeout_s
        self.pause_s = 0.025
        self.max_pause_s = max_pause_s

    @property
    def expired(self) -> bool:
        return time.monotonic() > self.deadline

    async def wait(self) -> None:
        await asyncio.sleep(self.pause_s)
        self.pause_s = min(self.max_pause_s, self.pause_s * 1.5)


async def send(http: httpx.AsyncClient, method: str, url: str, **options: Any) -> httpx.Response:
    """One request, sent again while the service cannot be reached or answers 503 (it is
    restarting, or a part it needs is), for up to RIDE_OUT_S. Every call the parties make is
    safe to repeat: an order is placed with an Idempotency-Key, a cancel or a callback sent
    twice changes nothing."""
    poll = Poll(RIDE_OUT_S, max_pause_s=1.0)
    while True:
        try:
            answer = await http.request(method, url, **options)
        except httpx.TransportError:
            if poll.expired:
                raise
        else:
            if answer.status_code != 503 or poll.expired:
                return answer
        await poll.wait()


def status_message(status: str, order_id: str, customer_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "status": status,
        "metadata": {"receiver": "OrderService", "order_id": order_id, "customer_id": customer_id},
        **extra,
    }


class Customer:
    """Places, reads and cancels orders through OrderService's API."""

    def __init__(self, order_url: str, api_key: str) -> None:
        self.http = httpx.AsyncClient(
            base_url=order_url,
            headers={API_KEY_HEADER: api_key},
            timeout=30,
            limits=POOL,
        )

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


class CardCompany:
    """Answers billing and reimbursement requests by calling PaymentService back."""

    def __init__(self, payment_url: str, api_key: str) -> None:
        self.http = httpx.AsyncClient(
            base_url=payment_url, headers={API_KEY_HEADER: api_key}, timeout=30, limits=POOL
        )

    async def payment(self, order_id: str) -> dict[str, Any] | None:
        answer = await send(self.http, "GET", f"/v1/payments/{order_id}")
        return answer.json() if answer.status_code == 200 else None

    async def wait_for_payment(
        self, order_id: str, *statuses: str, timeout_s: float = 30.0
    ) -> dict[str, Any]:
        """Wait until the payment is in one of `statuses` and the request for it reached us
        (its transaction id is stored), as a real card company would."""
        poll = Poll(timeout_s)
        while True:
            payment = await self.payment(order_id)
            if payment is not None and payment["status"] in statuses and _requested(payment):
                return payment
            if poll.expired:
                raise Timeout(f"payment of {order_id} is {payment and payment['status']}")
            await poll.wait()

    async def answer(self, order_id: str, status: str) -> httpx.Response:
        """Send the result for the order's billing (paymentPaid/paymentFailed) or refund."""
        waiting_for = "reimbursementPending" if status == "reimbursed" else "pending"
        payment = await self.wait_for_payment(order_id, waiting_for)
        return await send(
            self.http,
            "POST",
            "/v1/payments/callback",
            json={
                "status": status,
                "caller_id": payment["payment_id"],
                "transaction_id": str(uuid.uuid4()),
            },
        )

    async def close(self) -> None:
        await self.http.aclose()


def _requested(payment: dict[str, Any]) -> bool:
    if payment["status"] == "reimbursementPending":
        return bool(payment.get("reimbursement_transaction_id"))
    return True


class StatusReporter:
    """The transport company and the restaurant: status messages on the broker."""

    def __init__(self, rabbit_url: str, exchange: str) -> None:
        self.rabbit_url = rabbit_url
        self.exchange_name = exchange
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None
        self._exchange: aio_pika.abc.AbstractExchange | None = None
        self._channel: aio_pika.abc.AbstractChannel | None = None

    async def connect(self) -> None:
        self._connection = await aio_pika.connect_robust(self.rabbit_url)
        self._channel = await self._connection.channel(on_return_raises=True)
        self._exchange = await self._channel.declare_exchange(
            self.exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
        )

    async def report(self, routing_key: str, body: dict[str, Any] | bytes) -> None:
        assert self._exchange is not None, "connect() first"
        raw = body if isinstance(body, bytes) else ujson.dumps(body).encode()
        message = aio_pika.Message(raw, content_type="application/json", delivery_mode=2)
        await self._publish(self._exchange, message, routing_key)

    async def report_to_queue(self, queue: str, body: dict[str, Any]) -> None:
        """Publish straight to a queue by name (the default exchange), as the test scripts do."""
        assert self._channel is not None, "connect() first"
        message = aio_pika.Message(ujson.dumps(body).encode(), delivery_mode=2)
        await self._publish(self._channel.default_exchange, message, queue)

    async def _publish(self, exchange: Any, message: aio_pika.Message, routing_key: str) -> None:
        """Publish with a confirm; while the broker is away (a restart), try again for up to
        BROKER_RIDE_OUT_S. A status sent twice changes nothing; an unroutable one raises."""
        poll = Poll(BROKER_RIDE_OUT_S, max_pause_s=1.0)
        while True:
            try:
                await exchange.publish(message, routing_key=routing_key, timeout=5)
                return
            except (PublishError, DeliveryError):
                raise
            except (AMQPError, ConnectionError, RuntimeError, TimeoutError):
                if poll.expired:
                    raise
            await poll.wait()

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
