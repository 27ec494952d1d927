"""`/health/ready` follows the consumer watchdog: down while the subscription is lost and not
replaced yet, ready again once the watchdog has subscribed anew."""

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter

from servicekit.broker import InboundMessage
from servicekit.runtime import Infrastructure
from servicekit.settings import ServiceSettings, load_settings
from servicekit.web import create_service_app
from tests.conftest import TEST_API_KEY
from tests.integration.conftest import wait_for
from tests.integration.services import TEST_REDIS_URL, delete_service_queues

pytestmark = pytest.mark.integration


@pytest.fixture
async def infra(settings: ServiceSettings) -> AsyncIterator[Infrastructure]:
    """A service's infrastructure on an exchange and a queue of the test's own."""
    own = load_settings(
        ServiceSettings,
        _env_file=None,
        service_name="WatchdogTest",
        environment="test",
        service_api_key=TEST_API_KEY,
        mongo_url=settings.mongo_url,
        mongo_db=settings.mongo_db,
        redis_url=TEST_REDIS_URL,
        rabbit_url=settings.rabbit_url,
        exchange_name=f"test-watchdog-{uuid.uuid4().hex[:8]}",
        queue_name=f"WatchdogTest-{uuid.uuid4().hex[:8]}",
        retry_delays_ms=[100, 300],
    )
    infra = await Infrastructure.start(own, [])
    try:
        yield infra
    finally:
        await infra.close()  # again after running(): each close copes with a closed client
        await delete_service_queues(
            own.rabbit_url, own.work_queue, exchange=own.exchange_name, retry_delays_ms=(100, 300)
        )


async def ready(client: httpx.AsyncClient) -> tuple[int, dict]:
    answer = await client.get("/health/ready")
    return answer.status_code, answer.json()


async def test_ready_fails_while_the_subscription_is_lost_and_passes_once_replaced(
    infra: Infrastructure,
) -> None:
    handled: list[str] = []

    async def handler(message: InboundMessage) -> None:
        handled.append(message.body["status"])

    consumer = infra.consumer(["test.status"], handler)
    # The service's own health routes, reading `app.state.infra` as a service's lifespan sets it.
    app = create_service_app("test", "test", "0", None, APIRouter(), [TEST_API_KEY], {})
    app.state.infra = infra
    transport = httpx.ASGITransport(app=app)
    async with (
        infra.running(),
        httpx.AsyncClient(transport=transport, base_url="http://test") as client,
    ):
        status, report = await ready(client)
        assert status == 200, report
        assert report["checks"]["consumer"]["status"] == "pass"
        body = {"status": "first", "metadata": {"order_id": "o1", "customer_id": "c1"}}
        await infra.publisher.publish("test.status", body)
        await wait_for(lambda: handled == ["first"], timeout_s=30, what="the first message")

        # Freeze the moment between the watchdog noticing the loss and subscribing again: its
        # replacement waits for this lock (test-only access, as is the cancel below, what a
        # broker-side cancel or a half-done restore leaves behind).
        async with consumer._watchdog.resubscribing:
            underlay = await consumer._subscription.channel.get_underlay_channel()
            await underlay.basic_cancel(consumer._subscription.consumer_tag)
            lost: list[dict] = []

            async def reported_down() -> bool:
                status, report = await ready(client)
                lost.append(report)
                return status == 503 and report["checks"]["consumer"]["status"] == "fail"

            await wait_for(reported_down, timeout_s=30, what="/health/ready to report it down")
            assert lost[-1]["status"] == "fail"
            assert lost[-1]["checks"]["consumer"]["error"] == "RuntimeError: not consuming"
            assert lost[-1]["checks"]["rabbitmq"]["status"] == "pass"  # the connection is up

        async def reported_ready() -> bool:
            return (await ready(client))[0] == 200

        await wait_for(reported_ready, timeout_s=30, what="/health/ready once replaced")
        status, report = await ready(client)
        assert report["checks"]["consumer"]["status"] == "pass"
        body = {"status": "second", "metadata": {"order_id": "o2", "customer_id": "c1"}}
        await infra.publisher.publish("test.status", body)
        await wait_for(
            lambda: handled == ["first", "second"], timeout_s=30, what="a message after it"
        )
