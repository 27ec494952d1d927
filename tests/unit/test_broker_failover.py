"""A cluster's broker URLs: read from one setting, tried in order, moved through after a loss."""

from pathlib import Path

import pytest

from devstack.parts import rabbitmq_cluster
from devstack.parts.rabbitmq import RabbitMQ
from devstack.parts.rabbitmq_cluster import local_nodes, started_size
from servicekit.broker.failover import FailoverConnection
from servicekit.broker.topology import ServiceQueue
from servicekit.settings import ConfigError, ServiceSettings, load_settings

NODES = [f"amqp://guest:guest@127.0.0.1:{port}/" for port in (5682, 5683, 5684)]
KEY = "unit-test-key-0123456789"


def settings(rabbit_url: str) -> ServiceSettings:
    return load_settings(
        ServiceSettings, _env_file=None, service_api_key=KEY, rabbit_url=rabbit_url
    )


def test_rabbit_url_takes_a_comma_separated_list_of_nodes() -> None:
    assert settings(" , ".join(NODES)).rabbit_urls == NODES
    assert settings(NODES[0]).rabbit_urls == NODES[:1]


def test_a_list_with_one_url_of_another_scheme_is_refused() -> None:
    with pytest.raises(ConfigError, match="RABBIT_URL: Value error, each URL must start with amqp"):
        settings(f"{NODES[0]},redis://127.0.0.1:6379")


async def test_each_connection_attempt_goes_to_the_next_node_round_the_list() -> None:
    connection = FailoverConnection(NODES, first=1)
    tried = []
    for _ in range(4):
        connection.transport = None  # what aio-pika does right before each attempt
        tried.append(connection.node)
    assert tried == ["127.0.0.1:5683", "127.0.0.1:5684", "127.0.0.1:5682", "127.0.0.1:5683"]


class RecordingChannel:
    def __init__(self) -> None:
        self.declared: dict[str, dict[str, object]] = {}

    async def declare_queue(self, name: str, durable: bool, arguments: dict) -> "RecordingChannel":
        assert durable
        self.declared[name] = arguments
        return self

    async def bind(self, exchange: str, routing_key: str) -> None:
        pass


class Broker:
    exchange_name = "exchange"


async def test_with_quorum_every_queue_is_a_quorum_queue_and_retries_expire_at_least_once() -> None:
    channel = RecordingChannel()
    await ServiceQueue("Work", ["order.*"], (100, 300), "quorum").declare(Broker(), channel)  # type: ignore[arg-type]
    assert set(channel.declared) == {"Work", "Work.dead", "Work.retry.100", "Work.retry.300"}
    assert {args["x-queue-type"] for args in channel.declared.values()} == {"quorum"}
    retry = channel.declared["Work.retry.100"]
    assert retry["x-dead-letter-strategy"] == "at-least-once"
    assert retry["x-message-ttl"] == 100 and retry["x-dead-letter-routing-key"] == "Work"


async def test_classic_queues_keep_their_arguments() -> None:
    channel = RecordingChannel()
    await ServiceQueue("Work", ["order.*"], (100,)).declare(Broker(), channel)  # type: ignore[arg-type]
    assert channel.declared["Work.retry.100"] == {
        "x-queue-type": "classic",
        "x-message-ttl": 100,
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": "Work",
    }


def test_a_local_cluster_adds_nodes_beside_the_single_node_with_one_cookie(tmp_path: Path) -> None:
    (single,) = local_nodes(1, tmp_path)
    assert single == RabbitMQ(state=tmp_path)  # RABBIT_CLUSTER_SIZE=1: the node of before
    nodes = local_nodes(3, tmp_path)
    assert [node.port for node in nodes] == [5672, 5673, 5674]
    assert [node.pid_file.name for node in nodes] == [
        "rabbitmq.pid",
        "rabbitmq-2.pid",
        "rabbitmq-3.pid",
    ]
    assert nodes[2].cluster == ("rabbit@localhost", "rabbit-2@localhost", "rabbit-3@localhost")
    assert len({node.cookie for node in nodes}) == 1 and nodes[0].cookie


def test_a_cluster_keeps_the_cookie_its_first_node_has(tmp_path: Path) -> None:
    first = RabbitMQ(state=tmp_path)
    first.cookie_file.parent.mkdir(parents=True)
    first.cookie_file.write_text("EXISTINGCOOKIE")
    nodes = rabbitmq_cluster([first, RabbitMQ(name="rabbitmq-2", node_name="b@x", state=tmp_path)])
    assert [node.cookie for node in nodes] == ["EXISTINGCOOKIE"] * 2


def test_down_counts_the_nodes_a_run_before_started(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    assert started_size(tmp_path) == 1
    for name in ("rabbitmq.pid", "rabbitmq-2.pid", "rabbitmq-3.pid", "rabbitmq-e2e.pid"):
        (tmp_path / "run" / name).write_text("1")
    assert started_size(tmp_path) == 3
