"""The stack manager runs RabbitMQ as a cluster: nodes of their own join one another, and a
fresh manager stops every node by its pid file."""

from pathlib import Path

import pytest

from devstack import process
from devstack.parts import rabbitmq_cluster
from devstack.stack import Stack
from tests.integration.conftest import private_rabbitmq

pytestmark = pytest.mark.integration


@pytest.mark.timeout(300)
def test_three_nodes_form_one_cluster_and_down_stops_them_all(private_state: Path) -> None:
    nodes = rabbitmq_cluster([private_rabbitmq(private_state, f"rabbitmq-{n}") for n in (1, 2, 3)])
    everyone = {node.node_name for node in nodes}
    stack = Stack(nodes, quiet=True)
    try:
        assert stack.up() == nodes
        assert all(set(node.running_nodes()) == everyone for node in nodes)
        assert len({node.cookie_file.read_text() for node in nodes}) == 1
        pid_files = sorted(path.name for path in (private_state / "run").glob("rabbitmq*.pid"))
        assert pid_files == ["rabbitmq-1.pid", "rabbitmq-2.pid", "rabbitmq-3.pid"]
        pids = [process.read_pid(node.pid_file) or 0 for node in nodes]
    finally:
        Stack(nodes, quiet=True).down()  # a fresh manager, as `make down` is
    assert not any(process.is_alive(pid) or process.group_members(pid) for pid in pids)
    assert not any(node.ready() for node in nodes)
