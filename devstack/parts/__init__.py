"""The servers of the local stack: how each one is started and how we know it answers."""

from devstack.parts.mongodb import SECANTUS_RS, MongoServer, mongo_server_kind
from devstack.parts.part import ROOT, STATE, VENV_BIN, Part, http_ok, port_open
from devstack.parts.prism import MOCKS, PRISM, Prism
from devstack.parts.rabbitmq import Epmd, RabbitMQ
from devstack.parts.redis_server import Redis
from devstack.parts.service_process import SERVICES, ServiceProcess, services

__all__ = [
    "MOCKS",
    "PRISM",
    "ROOT",
    "SECANTUS_RS",
    "SERVICES",
    "STATE",
    "VENV_BIN",
    "Epmd",
    "MongoServer",
    "Part",
    "Prism",
    "RabbitMQ",
    "Redis",
    "ServiceProcess",
    "http_ok",
    "infrastructure",
    "mongo_server_kind",
    "port_open",
    "services",
]


def infrastructure(with_mongo: bool = True) -> list[Part]:
    """The servers in start order (stopped in reverse)."""
    parts: list[Part] = [Epmd(), RabbitMQ(), Redis()]
    if with_mongo:
        parts.append(MongoServer())
    for name, (spec, port) in MOCKS.items():
        parts.append(Prism(name=f"prism-{name}", port=port, spec=spec))
    return parts
