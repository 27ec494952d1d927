"""Schemathesis against the three services as processes: every answer to generated good and bad
input is declared in the service's OpenAPI document with a body that matches it, and no
generated request gets a 5xx. Every built-in check runs (Schemathesis's default: all 14 but
max_response_time, which needs a limit); the stateful ones see one request at a time here."""

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from devstack.parts import ServiceProcess
from tests.conftest import TEST_API_KEY
from tests.e2e.conftest import System
from tests.openapi_documents import service_app

# Bounded: about 40 s for the three services on 2 cores. The documents are built in this process
# by the code the services run (Schemathesis's loader from a fixture fails on pytest 9).
EXAMPLES_PER_OPERATION = 50


def api_schema(service: str) -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_dict(service_app(service).openapi())
    # Unknown query parameters are ignored (as most HTTP APIs do: a cache-buster `?_=1` works);
    # unknown body fields are refused, and Schemathesis still checks that.
    schema.config.generation.update(allow_extra_parameters=False)
    return schema


order_api = api_schema("OrderService")
payment_api = api_schema("PaymentService")
distance_api = api_schema("DistanceService")
bounded = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same examples on every run: a failure is reproducible
    database=None,  # and none kept between runs
)


def call_and_validate(case: schemathesis.Case, service: ServiceProcess) -> None:
    # /health answers 503 (documented) while a service it checks is slow or down: the shared
    # mocks on a busy machine, not this service's error.
    health = case.operation.path.startswith("/health")
    case.call_and_validate(
        base_url=f"http://127.0.0.1:{service.port}",
        headers={"X-API-Key": TEST_API_KEY},
        excluded_checks=[not_a_server_error] if health else None,
        timeout=15,
    )


@order_api.parametrize()
@bounded
def test_order_service_answers_as_documented(case: schemathesis.Case, system: System) -> None:
    call_and_validate(case, system.order)


@payment_api.parametrize()
@bounded
def test_payment_service_answers_as_documented(case: schemathesis.Case, system: System) -> None:
    call_and_validate(case, system.payment)


@distance_api.parametrize()
@bounded
def test_distance_service_answers_as_documented(case: schemathesis.Case, system: System) -> None:
    call_and_validate(case, system.distance)
