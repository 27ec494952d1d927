"""How the parties reach the services: pooled HTTP, growing pauses, riding out restarts."""

import asyncio
import time
from typing import Any

import httpx

API_KEY_HEADER = "X-API-Key"
# Idle connections are dropped before a server with the usual 5 s keep-alive closes them
# (a request on a connection the server is closing fails with "server disconnected").
POOL = httpx.Limits(max_connections=200, max_keepalive_connections=200, keepalive_expiry=4.0)

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


def client(base_url: str, api_key: str) -> httpx.AsyncClient:
    """A pooled client that sends our API key with every request."""
    return httpx.AsyncClient(
        base_url=base_url, headers={API_KEY_HEADER: api_key}, timeout=30, limits=POOL
    )


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
