"""ServiceClient turns every way a call can fail into one clear error with a fitting status."""

import httpx
import pytest

from servicekit.http import (
    API_KEY_HEADER,
    ServiceClient,
    UpstreamError,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from servicekit.service_urls import ServiceUrlNotFound


class FakeUrls:
    def __init__(self, urls: dict[str, str]) -> None:
        self.urls = urls

    async def get(self, service: str) -> str:
        if service not in self.urls:
            raise ServiceUrlNotFound(service)
        return self.urls[service]


def client_with(handler) -> ServiceClient:
    def new_client() -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(handler))

    return ServiceClient(new_client, FakeUrls({"Kitchen": "http://kitchen"}), api_key="k" * 20)


async def test_success_returns_json_and_sends_the_api_key() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202, json={"kitchen_id": "k1"})

    assert await client_with(handler).post("Kitchen", "/v1/book", {"a": 1}) == {"kitchen_id": "k1"}
    assert seen[0].headers[API_KEY_HEADER] == "k" * 20
    assert seen[0].url == "http://kitchen/v1/book"
    assert seen[0].content == b'{"a":1}'


@pytest.mark.parametrize(
    "failure, error_type, status",
    [
        (httpx.ConnectError("refused"), UpstreamUnavailable, 503),
        (httpx.ConnectTimeout("slow connect"), UpstreamTimeout, 504),
        (httpx.ReadTimeout("slow answer"), UpstreamTimeout, 504),
        (httpx.RemoteProtocolError("bad"), UpstreamUnavailable, 503),
    ],
)
async def test_transport_failures_map_to_clear_errors(failure, error_type, status) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise failure

    with pytest.raises(error_type) as error:
        await client_with(handler).get("Kitchen", "/x")
    assert error.value.status_code == status
    assert "Kitchen" in str(error.value)


async def test_error_answer_keeps_status_and_detail_even_when_not_json() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/json":
            return httpx.Response(404, json={"detail": "customer not found"})
        return httpx.Response(500, text="<html>oops</html>")

    client = client_with(handler)
    with pytest.raises(UpstreamRejected) as error:
        await client.get("Kitchen", "/json")
    assert (error.value.status, error.value.detail) == (404, "customer not found")
    with pytest.raises(UpstreamRejected) as error:
        await client.get("Kitchen", "/html")
    assert error.value.status == 500 and "oops" in error.value.detail
    assert error.value.status_code == 502


async def test_unknown_service_url_is_unavailable_not_a_url_with_none() -> None:
    with pytest.raises(UpstreamUnavailable, match="no URL registered"):
        await client_with(lambda r: httpx.Response(200)).get("Nobody", "/x")


async def test_success_with_a_body_that_is_not_json_is_an_upstream_error() -> None:
    with pytest.raises(UpstreamError, match="non-JSON"):
        await client_with(lambda r: httpx.Response(200, text="ok")).get("Kitchen", "/x")


@pytest.mark.parametrize(
    "failure, reached",
    [
        (httpx.ConnectError("refused"), False),
        (httpx.ConnectTimeout("slow connect"), False),
        (httpx.ReadTimeout("slow answer"), True),
        (httpx.RemoteProtocolError("closed mid-answer"), True),
    ],
)
async def test_errors_tell_whether_the_request_may_have_been_acted_on(failure, reached) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise failure

    with pytest.raises(UpstreamError) as error:
        await client_with(handler).post("Kitchen", "/book", {})
    assert error.value.reached is reached


async def test_pooled_connections_are_dropped_before_a_server_closes_them(monkeypatch) -> None:
    """A request sent on a kept-alive connection just as the server closes it fails with
    "server disconnected without sending a response": our pool must let go first (uvicorn and
    Node, which Prism runs on, close idle connections after 5 s by default), and our servers
    must keep them longer than any client pool."""
    from servicekit import runtime
    from servicekit.http import create_http_client
    from servicekit.settings import ServiceSettings

    monkeypatch.setenv("SERVICE_API_KEY", "k" * 20)
    settings = ServiceSettings(service_name="T")
    client = create_http_client(settings)
    try:
        assert client._transport._pool._keepalive_expiry < 5  # httpx keeps it on its pool
    finally:
        await client.aclose()

    served: dict = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **options: served.update(options))
    runtime.serve(ServiceSettings, lambda s: object())
    assert served["timeout_keep_alive"] >= 5 + 1 > settings.http_pool_idle_s


async def test_extra_headers_go_with_the_api_key() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202, json={})

    await client_with(handler).post("Kitchen", "/v1/book", {}, headers={"Idempotency-Key": "x1"})
    assert seen[0].headers["Idempotency-Key"] == "x1"
    assert seen[0].headers[API_KEY_HEADER] == "k" * 20
