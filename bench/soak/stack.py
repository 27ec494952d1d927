"""The soak's own stack: a 3-node RabbitMQ cluster with quorum queues, a database server and a
Redis of its own, and the three services on free ports. The outside companies are the Prism
mocks of the running stack (`make up`)."""

import asyncio
import secrets
from dataclasses import dataclass
from pathlib import Path

from devstack.parts import (
    MongoServer,
    Part,
    RabbitMQ,
    Redis,
    ServiceProcess,
    free_port,
    rabbitmq_cluster,
)
from devstack.stack import Stack
from ops.seed_service_urls import seed
from servicekit.settings import ServiceSettings, load_settings
from servicekit.webhooks import CardWebhookSettings

SERVICES = ("PaymentService", "OrderService", "DistanceService")  # start order
EXCHANGE = "soak"
DATABASE = "soak"


@dataclass
class SoakStack:
    nodes: list[RabbitMQ]
    database: MongoServer
    cache: Redis
    services: dict[str, ServiceProcess]

    @property
    def rabbit_url(self) -> str:
        return ",".join(f"amqp://guest:guest@127.0.0.1:{node.port}/" for node in self.nodes)

    @property
    def mongo_url(self) -> str:
        return f"mongodb://127.0.0.1:{self.database.port}"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.cache.port}/0"

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.services[service].port}"

    @property
    def servers(self) -> list[Part]:
        return [*self.nodes, self.database, self.cache]


def build(state: Path, nodes: int = 3) -> SoakStack:
    """The parts, on free ports under `state` (nothing started yet); the node names are new
    every run, so a node left over by an earlier run cannot clash."""
    run = secrets.token_hex(3)
    brokers = rabbitmq_cluster(
        [
            RabbitMQ(
                name=f"soak-rabbitmq-{number}",
                port=free_port(),
                management_port=free_port(),
                prometheus_port=free_port(),
                dist_port=free_port(),
                node_name=f"soak-{run}-{number}@localhost",
                state=state,
            )
            for number in range(1, nodes + 1)
        ]
    )
    services = {
        name: ServiceProcess(name=f"soak-{name}", port=free_port(), state=state, module=name)
        for name in SERVICES
    }
    database = MongoServer(name="soak-mongodb", port=free_port(), state=state)
    return SoakStack(brokers, database, Redis(name="soak-redis", port=free_port(), state=state),
                     services)  # fmt: skip


def service_env(stack: SoakStack, settings: CardWebhookSettings) -> dict[str, str]:
    """What every service of the soak is configured with (the rest: .env and defaults)."""
    return {
        "MONGO_URL": stack.mongo_url,
        "MONGO_DB": DATABASE,
        "REDIS_URL": stack.redis_url,
        "RABBIT_URL": stack.rabbit_url,
        "QUEUE_TYPE": "quorum",
        "EXCHANGE_NAME": EXCHANGE,
        "SERVICE_API_KEY": settings.service_api_key.get_secret_value(),
        "CARD_WEBHOOK_SECRET": settings.card_webhook_secret.get_secret_value(),
        "LOG_LEVEL": "INFO",
        **({"MONGO_RETRY_WRITES": "false"} if stack.database.kind == "python" else {}),
    }


def start(stack: SoakStack, settings: CardWebhookSettings) -> None:
    """Servers first (each node waits until it runs in the cluster), the service URLs seeded
    into the soak's database, then the services (each waits until it answers)."""
    Stack(stack.servers, quiet=True).up()
    urls = {**settings.service_urls, **{name: stack.url(name) for name in SERVICES}}
    seeding = load_settings(
        ServiceSettings, service_name="soak", mongo_url=stack.mongo_url, mongo_db=DATABASE,
        redis_url=stack.redis_url, service_urls=urls,
    )  # fmt: skip
    asyncio.run(seed(seeding))
    env = service_env(stack, settings)
    for name, part in stack.services.items():
        part.extra_env = {**env, "PUBLIC_URL": stack.url(name)}
        Stack([part], quiet=True).up()


def stop(stack: SoakStack) -> None:
    Stack([*stack.servers, *stack.services.values()], quiet=True).down()
