"""The faults the soak injects, each an outage of one server: a RabbitMQ node killed (SIGKILL),
the database server stopped, Redis stopped; each started again after the outage."""

import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.soak.stack import SoakStack
from devstack.parts import Part
from devstack.process import crash
from devstack.stack import Stack


@dataclass(frozen=True)
class Fault:
    name: str
    part: Part
    stop: Callable[[Part], None]

    def inject(self, outage_s: float) -> "Injected":
        """Stop the server, wait `outage_s`, start it again and wait until it answers."""
        began = time.monotonic()
        self.stop(self.part)
        stopped = time.monotonic()
        time.sleep(max(0.0, outage_s - (stopped - began)))  # the outage's length, not a sync
        Stack([self.part], quiet=True).up()
        return Injected(self.name, down_s=time.monotonic() - stopped)


@dataclass(frozen=True)
class Injected:
    name: str
    down_s: float  # from stopped to answering again
    at_s: float = 0.0  # seconds into the run, set by the schedule


def kill(part: Part) -> None:
    """SIGKILL the server's process group, as a machine lost at once."""
    crash(int(part.pid_file.read_text()))


def stop(part: Part) -> None:
    """SIGTERM and wait until the process is gone (devstack's own stop)."""
    Stack([part], quiet=True).down()


def rotation(stack: SoakStack) -> list[Fault]:
    """The order faults come in: the node the services connect to first, the database, Redis,
    another node; then round again."""
    first, second = stack.nodes[0], stack.nodes[1]
    return [
        Fault(f"RabbitMQ node {first.node_name} killed", first, kill),
        Fault("database server stopped", stack.database, stop),
        Fault("Redis stopped", stack.cache, stop),
        Fault(f"RabbitMQ node {second.node_name} killed", second, kill),
    ]
