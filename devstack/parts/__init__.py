"""The servers of the local stack: how each one is started and how we know it answers."""

from devstack.parts.mongodb import SECANTUS_RS, MongoServer, mongo_server_kind
from devstack.parts.part import ROOT, STATE, VENV_BIN, Part, free_port, http_ok, port_open
from devstack.parts.prism import MOCKS, PRISM, Prism
from devstack.parts.prometheus import PROMETHEUS_DIR, Prometheus, render_config
from devstack.parts.rabbitmq import Epmd, RabbitMQ
from devstack.parts.rabbitmq_cluster import (
    configured_size,
    local_nodes,
    rabbitmq_cluster,
    started_size,
)
from devstack.parts.redis_server import Redis
from devstack.parts.service_process import SERVICES, ServiceProcess, services

__all__ = [
    "MOCKS",
    "PRISM",
    "PROMETHEUS_DIR",
    "ROOT",
    "SECANTUS_RS",
    "SERVICES",
    "STATE",
    "VENV_BIN",
    "Epmd",
    "MongoServer",
    "Part",
    "Prism",
    "Prometheus",
    "RabbitMQ",
    "Redis",
    "ServiceProcess",
    "configured_size",
    "free_port",
    "http_ok",
    "infrastructure",
    "mongo_server_kind",
    "monitoring",
    "port_open",
    "rabbitmq_cluster",
    "render_config",
    "services",
]


def infrastructure(with_mongo: bool = True) -> list[Part]:
    """The servers in start order (stopped in reverse). RabbitMQ: RABBIT_CLUSTER_SIZE nodes, and
    any more a run before started (so that `down` stops them too)."""
    rabbit_nodes = local_nodes(max(configured_size(), started_size()))
    parts: list[Part] = [Epmd(), *rabbit_nodes, Redis()]
    if with_mongo:
        parts.append(MongoServer())
    for name, (spec, port) in MOCKS.items():
        parts.append(Prism(name=f"prism-{name}", port=port, spec=spec))
    return parts


def monitoring() -> list[Part]:
    """What watches the stack (for `make up`; the tests start it only where they need it)."""
    return [Prometheus()]
