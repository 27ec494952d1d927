"""Calls to other services and outside APIs through pooled httpx clients shared by the process:
one per called origin (httpx checks every pooled connection on each request, so one big pool
costs each call a system call per idle connection of every origin).

Every failure becomes one of the `UpstreamError` subclasses below, with the HTTP status the
caller should answer with, so that no transport error or odd error body escapes as a 500.
"""

import ssl
from collections.abc import Callable
from typing import Any

import httpx
import ujson
from loguru import logger

from servicekit.metrics import count_call
from servicekit.service_urls import ServiceUrlNotFound, ServiceUrls
from servicekit.settings import ServiceSettings

API_KEY_HEADER = "X-API-Key"


class UpstreamError(Exception):
    """A call to another service did not give a usable answer.

    `reached` tells whether the request may have been acted on: False only when it never left
    (connection refused or not made in time, unknown URL), so retrying cannot do it twice.
    """

    status_code = 502
    reached = True

    def __init__(self, service: str, message: str, reached: bool | None = None) -> None:
        super().__init__(f"{service}: {message}")
        self.service = service
        if reached is not None:
            self.reached = reached


class UpstreamUnavailable(UpstreamError):
    """The service could not be reached (refused connection, DNS, unknown URL), or the
    connection broke (then `reached` is True: the request may have been acted on)."""

    status_code = 503
    reached = False


class UpstreamTimeout(UpstreamError):
    """The service did not answer in time."""

    status_code = 504


class UpstreamRejected(UpstreamError):
    """The service answered with an error status."""

    def __init__(self, service: str, status: int, detail: str) -> None:
        super().__init__(service, f"answered {status}: {detail}")
        self.status = status
        self.detail = detail


def create_http_client(settings: ServiceSettings) -> httpx.AsyncClient:
    """The process's one client: pooled keep-alive connections, explicit timeouts and TLS policy.

    Idle pooled connections are dropped after `http_pool_idle_s`, below the keep-alive timeout
    of every server called (5 s for uvicorn and Node by default): a request sent on a
    connection the server is closing fails with "server disconnected without a response".
    """
    # httpx 0.28: True verifies with the default CAs, False disables checks (never pass None).
    tls: ssl.SSLContext | bool = (
        ssl.create_default_context(cafile=settings.tls_ca_file)
        if settings.tls_ca_file
        else settings.tls_verify
    )
    return httpx.AsyncClient(
        timeout=httpx.Timeout(settings.http_timeout_s, connect=settings.http_connect_timeout_s),
        limits=httpx.Limits(
            max_connections=200,
            max_keepalive_connections=32,
            keepalive_expiry=settings.http_pool_idle_s,
        ),
        verify=tls,
        headers={"User-Agent": "food-delivery-backend"},
    )


def _error_detail(response: httpx.Response) -> str:
    """A short reason from any error body: JSON `detail`/`title`, or the start of the text."""
    try:
        body = ujson.loads(response.content)
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict):
        for key in ("detail", "title", "message", "error"):
            if body.get(key):
                return str(body[key])[:300]
    return str(body)[:200]


class ServiceClient:
    """JSON calls to named services, their base URL looked up in the service-URL cache."""

    def __init__(
        self, new_client: Callable[[], httpx.AsyncClient], urls: ServiceUrls, api_key: str
    ) -> None:
        self._new_client = new_client
        self._clients: dict[str, httpx.AsyncClient] = {}  # one per base URL, made on first use
        self._urls = urls
        self._api_key = api_key

    def _client(self, base_url: str) -> httpx.AsyncClient:
        client = self._clients.get(base_url)
        if client is None:
            client = self._clients[base_url] = self._new_client()
        return client

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()

    async def base_url(self, service: str) -> str:
        try:
            return await self._urls.get(service)
        except ServiceUrlNotFound as error:
            raise UpstreamUnavailable(service, str(error)) from None

    async def request(
        self,
        service: str,
        method: str,
        path: str,
        json: Any = None,
        timeout_s: float | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """Send a JSON request and return the decoded JSON answer (None for an empty body)."""
        base_url = await self.base_url(service)
        extra = {"timeout": timeout_s} if timeout_s else {}
        try:
            response = await self._client(base_url).request(
                method,
                base_url + path,
                content=ujson.dumps(json) if json is not None else None,
                headers={
                    API_KEY_HEADER: self._api_key,
                    "Content-Type": "application/json",
                    **(headers or {}),
                },
                **extra,
            )
        except httpx.TimeoutException as error:
            count_call(service, method, "timeout")
            message = f"{method} {path} timed out ({type(error).__name__})"
            sent = not isinstance(error, (httpx.ConnectTimeout, httpx.PoolTimeout))
            raise UpstreamTimeout(service, message, reached=sent) from None
        except httpx.TransportError as error:
            count_call(service, method, "unavailable")
            sent = not isinstance(error, httpx.ConnectError)
            message = f"{method} {path} failed: {error!r}"
            raise UpstreamUnavailable(service, message, reached=sent) from None
        count_call(service, method, response.status_code)
        if response.status_code >= 400:
            detail = _error_detail(response)
            logger.debug("{} {} {} -> {} {}", service, method, path, response.status_code, detail)
            raise UpstreamRejected(service, response.status_code, detail)
        if not response.content:
            return None
        try:
            return ujson.loads(response.content)
        except ValueError:
            raise UpstreamError(service, f"{method} {path} answered a non-JSON body") from None

    async def get(self, service: str, path: str) -> Any:
        return await self.request(service, "GET", path)

    async def post(
        self, service: str, path: str, json: Any = None, headers: dict[str, str] | None = None
    ) -> Any:
        return await self.request(service, "POST", path, json, headers=headers)
