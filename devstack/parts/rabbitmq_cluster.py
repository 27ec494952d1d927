"""RabbitMQ as a cluster of N nodes on this machine (`RABBIT_CLUSTER_SIZE`, default 1).

Node 1 is the single node of before (rabbit@localhost, AMQP 5672, management 15672, metrics
15692, distribution 25672); node k is `rabbit-k@localhost`, named `rabbitmq-k`, each port plus
k - 1. They share one Erlang cookie and join node 1 at their first boot.
"""

import dataclasses
import os
import secrets
from collections.abc import Sequence
from pathlib import Path

from devstack.parts.part import STATE
from devstack.parts.rabbitmq import RabbitMQ

MAX_NODES = 9


def configured_size() -> int:
    """RABBIT_CLUSTER_SIZE, checked."""
    text = os.environ.get("RABBIT_CLUSTER_SIZE", "1") or "1"
    if not text.isdigit() or not 1 <= int(text) <= MAX_NODES:
        raise ValueError(f"RABBIT_CLUSTER_SIZE must be 1 to {MAX_NODES}, not {text!r}")
    return int(text)


def started_size(state: Path = STATE) -> int:
    """How many nodes a run before started (their pid files): `down` stops those too."""
    numbers = [
        int(suffix)
        for pid_file in (state / "run").glob("rabbitmq-*.pid")
        if (suffix := pid_file.stem.removeprefix("rabbitmq-")).isdigit()
    ]
    return max(numbers, default=1)


def local_nodes(size: int, state: Path = STATE) -> list[RabbitMQ]:
    """The stack's broker: node 1 alone when `size` is 1 (as always), else a cluster."""
    first = RabbitMQ(state=state)
    if size == 1:
        return [first]
    others = [
        RabbitMQ(
            name=f"rabbitmq-{number}",
            port=first.port + number - 1,
            management_port=first.management_port + number - 1,
            prometheus_port=first.prometheus_port + number - 1,
            dist_port=first.dist_port + number - 1,
            node_name=f"rabbit-{number}@localhost",
            state=state,
        )
        for number in range(2, size + 1)
    ]
    return rabbitmq_cluster([first, *others])


def rabbitmq_cluster(nodes: Sequence[RabbitMQ]) -> list[RabbitMQ]:
    """The nodes (each with its own name and ports), made one cluster: started in this order,
    each joins the ones before it."""
    names = tuple(node.node_name for node in nodes)
    cookie = _cookie(nodes[0])
    return [dataclasses.replace(node, cluster=names, cookie=cookie) for node in nodes]


def _cookie(first: RabbitMQ) -> str:
    """The first node's cookie when it has one already (it may be running), else a new one."""
    try:
        return first.cookie_file.read_text().strip()
    except FileNotFoundError:
        return secrets.token_hex(16).upper()
