"""A service from its description: the FastAPI app, and a lifespan that is its composition root
(infrastructure, the ports its use cases get, the consumer of its event table)."""

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI

from servicekit import __version__
from servicekit.broker import Routes, subscriber
from servicekit.logging import setup_logging
from servicekit.mongo import CollectionIndexes
from servicekit.runtime import Infrastructure
from servicekit.settings import ServiceSettings
from servicekit.tracing import flush_spans, instrument_app, setup_tracing
from servicekit.web import create_service_app


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    description: str
    api: APIRouter
    indexes: Sequence[CollectionIndexes]
    build_ports: Callable[[Infrastructure, Any], Any]  # (infra, settings) -> the service's ports
    business_errors: dict[type[Exception], int]
    called_services: Sequence[str] = ()
    event_routes: Callable[[Any], Routes] | None = None  # ports -> the routing table
    # Routes whose callers prove themselves with a signature instead of the API key (webhooks).
    signed_api: APIRouter | None = None
    one_at_a_time_per_order: bool = True


def create_service(spec: ServiceSpec, settings: ServiceSettings) -> FastAPI:
    """The app; its lifespan puts `infra` and `ports` on `app.state` (routes read `ports`)."""
    setup_logging(settings.service_name, settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Here, not at create time: an app made by a test without its lifespan writes no spans.
        setup_tracing(settings)
        infra = await Infrastructure.start(settings, spec.indexes)
        try:
            app.state.infra, app.state.ports = infra, spec.build_ports(infra, settings)
            if spec.event_routes is not None:
                routes = spec.event_routes(app.state.ports)
                infra.consumer(list(routes), subscriber(routes, spec.one_at_a_time_per_order))
        except BaseException:
            await infra.close()  # wiring failed: close what was opened, then say why
            raise
        try:
            async with infra.running():
                yield
        finally:
            flush_spans()

    app = create_service_app(
        spec.name,
        spec.description,
        __version__,
        lifespan,
        spec.api,
        settings.api_keys,
        spec.business_errors,
        spec.called_services,
        database_retry_after_s=settings.database_retry_after_s,
        signed_api=spec.signed_api,
    )
    instrument_app(app, settings)
    return app
