"""Every /v1 operation sent as its OpenAPI document shows it (the examples of its parameters and
body, what Swagger UI's "Try it out" sends) gets an answer the document declares, never a 422:
the examples work as they are."""

from typing import Any

import httpx
import pytest

from tests.conftest import TEST_API_KEY
from tests.e2e.conftest import System
from tests.openapi_documents import service_app

# What the examples get on a fresh system: the lookups name an order that is not there (404),
# the card company's callback is unsigned (401), and the order's payment is not paid (409).
EXPECTED = {
    "POST /v1/orders": 202,
    "GET /v1/orders": 200,
    "GET /v1/orders/{order_id}": 404,
    "DELETE /v1/orders/{order_id}": 404,
    "POST /v1/orders/{order_id}/cancel": 404,
    "POST /v1/payments": 202,
    "POST /v1/payments/reimburse": 409,
    "POST /v1/payments/callback": 401,
    "GET /v1/payments/{order_id}": 200,
    "GET /v1/distances/{order_id}": 404,
    "GET /v1/distance": 200,
}


def example_of(document: dict[str, Any], schema: dict[str, Any]) -> Any:
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema["examples"][0]


def example_request(document: dict[str, Any], path: str, operation: dict[str, Any]) -> dict:
    """The request Swagger UI sends for the operation with its examples filled in."""
    values = {
        (parameter["in"], parameter["name"]): parameter["schema"]["examples"][0]
        for parameter in operation.get("parameters", [])
        if parameter["in"] != "header" or parameter.get("required")
    }
    request: dict[str, Any] = {
        "url": path.format(
            **{name: value for (where, name), value in values.items() if where == "path"}
        ),
        "params": {name: value for (where, name), value in values.items() if where == "query"},
        "headers": {"X-API-Key": TEST_API_KEY},
    }
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body:
        request["json"] = example_of(document, body["schema"])
    return request


def documented_operations(service: str) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    document = service_app(service).openapi()
    return [
        (f"{method.upper()} {path}", operation, example_request(document, path, operation))
        for path, item in document["paths"].items()
        if path.startswith("/v1/")
        for method, operation in item.items()
    ]


@pytest.mark.parametrize("service", ["OrderService", "PaymentService", "DistanceService"])
async def test_the_documented_examples_get_a_documented_answer(
    service: str, system: System
) -> None:
    process = {"OrderService": system.order, "PaymentService": system.payment}.get(
        service, system.distance
    )
    answers = {}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{process.port}", timeout=15) as http:
        for name, operation, request in documented_operations(service):
            method = name.split(" ", 1)[0]
            answer = await http.request(method, **request)
            assert str(answer.status_code) in operation["responses"], (name, answer.text)
            answers[name] = answer.status_code
    assert answers == {name: EXPECTED[name] for name in answers}
