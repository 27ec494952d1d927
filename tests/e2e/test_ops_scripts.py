"""Each operator script does what its --help says, checked through the API, the queue or Redis."""

import subprocess
import sys
import uuid
from collections.abc import AsyncIterator

import aio_pika
import pytest
import ujson
from redis.asyncio import Redis

from servicekit.mongo import MongoEngine
from servicekit.settings import ServiceSettings
from simulator.parties import CardCompany, Customer
from tests.conftest import TEST_API_KEY, TEST_WEBHOOK_SECRET
from tests.e2e.conftest import System
from tests.integration.conftest import free_port, wait_for
from tests.integration.services import TEST_REDIS_URL

pytestmark = pytest.mark.integration

SCRIPTS = [
    "send_test_messages",
    "receive_messages",
    "send_status",
    "seed_service_urls",
    "show_cached_order",
    "clear_service_url_cache",
    "dead_letters",
    "card_callback",
]


def ops(system: System, script: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", f"ops.{script}", *args],
        env={**system.env, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
async def channel(settings: ServiceSettings) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    connection = await aio_pika.connect(settings.rabbit_url)
    yield await connection.channel()
    await connection.close()


@pytest.fixture
async def test_queue(channel) -> AsyncIterator[str]:
    name = f"ops-test-{uuid.uuid4().hex[:6]}"
    await channel.declare_queue(name, durable=True)
    yield name
    await channel.queue_delete(name, if_unused=False, if_empty=False)


async def depth(channel, queue: str) -> int:
    declared = await channel.declare_queue(queue, passive=True)
    return declared.declaration_result.message_count or 0


@pytest.fixture
async def parties(system: System) -> AsyncIterator[tuple[Customer, CardCompany]]:
    customer = Customer(system.order_url, TEST_API_KEY)
    card = CardCompany(system.payment_url, TEST_API_KEY, TEST_WEBHOOK_SECRET)
    yield customer, card
    await customer.close()
    await card.close()


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_script_has_help(system: System, script: str) -> None:
    result = ops(system, script, "--help")
    assert result.returncode == 0
    assert "usage: python -m ops." in result.stdout


async def test_send_test_messages_puts_n_messages_on_the_queue(system, channel, test_queue) -> None:
    result = ops(system, "send_test_messages", "--queue", test_queue, "--count", "5")
    assert result.returncode == 0, result.stderr
    assert await depth(channel, test_queue) == 5
    missing = ops(system, "send_test_messages", "--queue", "no-such-queue-xyz")
    assert missing.returncode == 1
    assert "no queue named 'no-such-queue-xyz'" in missing.stderr


async def test_receive_messages_prints_them_and_takes_them_unless_peeking(
    system, channel, test_queue
) -> None:
    ops(system, "send_test_messages", "--queue", test_queue, "--count", "3")
    peeked = ops(system, "receive_messages", "--queue", test_queue, "--peek")
    assert peeked.returncode == 0, peeked.stderr
    assert peeked.stdout.count('"test_message":') == 3
    assert await depth(channel, test_queue) == 3
    taken = ops(system, "receive_messages", "--queue", test_queue, "--count", "2")
    assert "2 message(s) taken from" in taken.stdout
    assert await depth(channel, test_queue) == 1


async def test_send_status_moves_an_order_on(system, parties) -> None:
    customer, card = parties
    order = await customer.place()
    assert (await card.answer(order["id"], "paymentPaid")).status_code == 201
    await customer.wait_for_status(order["id"], "deliveryScheduled")
    result = ops(system, "send_status", order["id"], "driverAvailable")
    assert result.returncode == 0, result.stderr
    await customer.wait_for_status(order["id"], "cookingScheduled")
    by_queue = ops(
        system, "send_status", order["id"], "cookingMeal", "--to-queue", system.order_queue
    )
    assert by_queue.returncode == 0, by_queue.stderr
    await customer.wait_for_status(order["id"], "cookingMeal")
    unknown = ops(system, "send_status", str(uuid.uuid4()), "delivered")
    assert unknown.returncode == 1 and "no order" in unknown.stderr


async def test_send_status_refuses_a_status_the_order_is_not_ready_for_unless_forced(
    system, parties, channel, test_queue
) -> None:
    customer, _ = parties
    order = await customer.place()
    refused = ops(system, "send_status", order["id"], "delivered", "--to-queue", test_queue)
    assert refused.returncode == 3
    assert f"order {order['id']} is created: delivered comes later" in refused.stderr
    assert "nothing sent" in refused.stderr and "Sent" not in refused.stdout
    assert await depth(channel, test_queue) == 0
    assert (await customer.get(order["id"]))["status"] == "created"
    forced = ops(
        system, "send_status", order["id"], "delivered", "--to-queue", test_queue, "--force"
    )
    assert forced.returncode == 0, forced.stderr
    assert "sending anyway (--force)" in forced.stdout
    assert f"Sent delivered for order {order['id']} via {test_queue!r}" in forced.stdout
    assert await depth(channel, test_queue) == 1


async def test_send_status_to_an_unknown_order_needs_the_customer_and_force(
    system, channel, test_queue
) -> None:
    order_id, customer_id = str(uuid.uuid4()), str(uuid.uuid4())
    args = [order_id, "cookingMeal", "--customer-id", customer_id, "--to-queue", test_queue]
    refused = ops(system, "send_status", *args)
    assert refused.returncode == 3 and "would ignore" in refused.stderr
    assert await depth(channel, test_queue) == 0
    forced = ops(system, "send_status", *args, "--force")
    assert forced.returncode == 0, forced.stderr
    assert await depth(channel, test_queue) == 1


async def test_seed_service_urls_writes_the_configured_urls(system, mongo: MongoEngine) -> None:
    urls = ujson.dumps({"OpsTestService": "http://127.0.0.1:9/"})
    result = ops(system, "seed_service_urls", SERVICE_URLS=urls)
    assert result.returncode == 0, result.stderr
    stored = await mongo.db.service_urls.find_one({"_id": "OpsTestService"})
    assert stored["url"] == "http://127.0.0.1:9"


async def test_show_cached_order_prints_the_cached_copy(system, parties) -> None:
    customer, _ = parties
    order = await customer.place()
    result = ops(system, "show_cached_order", order["id"])
    assert result.returncode == 0, result.stderr
    assert order["id"] in result.stdout and '"status":' in result.stdout
    missing = ops(system, "show_cached_order", str(uuid.uuid4()))
    assert missing.returncode == 1 and "not in the cache" in missing.stdout


async def test_clear_service_url_cache_removes_the_redis_copies(system) -> None:
    client = Redis.from_url(TEST_REDIS_URL, decode_responses=True)
    await client.set("service-url:KitchenService", "http://cached:1")
    result = ops(system, "clear_service_url_cache", "KitchenService")
    assert result.returncode == 0, result.stderr
    assert await client.get("service-url:KitchenService") is None
    await client.aclose()


async def test_dead_letters_are_listed_with_the_reason_and_requeued(
    system, channel, settings: ServiceSettings
) -> None:
    exchange = await channel.get_exchange(system.exchange)
    await exchange.publish(aio_pika.Message(b"not json at all"), routing_key="delivery.inTransit")
    dead = f"{system.order_queue}.dead"
    await wait_for(lambda: depth(channel, dead), what="the message in the dead-letter queue")
    listed = ops(system, "dead_letters", "list", "--service", system.order_queue)
    assert listed.returncode == 0, listed.stderr
    assert "reason: malformed: body is not JSON" in listed.stdout
    assert await depth(channel, dead) >= 1  # listing leaves them there
    failures_before = dead_lettered(system)
    requeued = ops(system, "dead_letters", "requeue", "--service", system.order_queue)
    assert requeued.returncode == 0 and "Requeued" in requeued.stdout
    # It went through the consumer again (and, still malformed, was dead-lettered again).
    await wait_for(
        lambda: dead_lettered(system) > failures_before, what="the requeued message to be handled"
    )


def shell(command: str) -> dict:
    """Run a command line (a printed curl) and read its JSON output."""
    done = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=30)
    return ujson.loads(done.stdout)


async def test_card_callback_sends_a_signed_result_and_prints_a_curl_for_one(
    system, parties
) -> None:
    customer, card = parties
    order = await customer.place()
    await card.wait_for_payment(order["id"], "pending")
    paid = [order["id"], "paymentPaid", "--payment-url", system.payment_url]
    sent = ops(system, "card_callback", *paid, "--webhook-id", "msg_ops1")
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert '"event_published": true' in sent.stdout
    await customer.wait_for_status(order["id"], "deliveryScheduled")
    replayed = ops(system, "card_callback", *paid, "--webhook-id", "msg_ops1")
    assert replayed.returncode == 0 and '"event_published": false' in replayed.stdout
    command = ops(system, "card_callback", *paid, "--curl").stdout
    assert "webhook-signature: v1," in command
    assert shell(command)["event_published"] is False  # accepted, and the payment is paid
    forged = command.replace("webhook-signature: v1,", "webhook-signature: v1,A")
    assert shell(forged) == {"detail": "invalid signature"}


def dead_lettered(system: System) -> int:
    log = system.order.log_file.read_text()
    return log.count("dead-lettered to")


def test_scripts_say_clearly_when_the_stack_is_not_running(system) -> None:
    down = f"amqp://guest:guest@127.0.0.1:{free_port()}/"
    result = ops(system, "send_test_messages", RABBIT_URL=down)
    assert result.returncode == 1
    assert "is the stack running? (make up)" in result.stderr
    assert "guest:guest" not in result.stderr  # no password in messages
