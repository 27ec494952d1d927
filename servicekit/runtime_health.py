"""What a service's `/health` checks: its servers, its consumers and workers, the services it
calls."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from servicekit.health import HealthCheck, expect, http_health_probe

if TYPE_CHECKING:
    from servicekit.runtime import Infrastructure

OUR_SERVICES = frozenset({"OrderService", "PaymentService", "DistanceService"})


def resource_checks(infra: "Infrastructure", called_services: Sequence[str]) -> list[HealthCheck]:
    """MongoDB, RabbitMQ, Redis (non-critical: we work without it) and each called service."""
    timeout_s = infra.settings.health_timeout_s
    checks = [
        HealthCheck("mongodb", lambda: infra.mongo.ping(timeout_s)),
        HealthCheck(
            "rabbitmq", expect(lambda: infra.broker.is_connected, "not connected to RabbitMQ")
        ),
        HealthCheck("redis", infra.cache.ping, critical=False),
    ]
    for consumer in infra.consumers:
        checks.append(
            HealthCheck("consumer", expect(lambda c=consumer: c.is_running, "not consuming"))
        )
    for worker in infra.workers:
        checks.append(HealthCheck(worker.name, expect(lambda w=worker: w.is_running, "stopped")))
    for name in called_services:
        base_url = (lambda service: lambda: infra.service_urls.get(service))(name)
        path = "/health/live" if name in OUR_SERVICES else "/health"
        checks.append(
            HealthCheck(name, http_health_probe(infra.http, base_url, path), critical=False)
        )
    return checks
