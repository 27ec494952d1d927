"""Each service's OpenAPI document declares what its API can answer: 401 and 422 on every /v1
operation, and an example for every declared answer and every request body."""

from typing import Any

import pytest

from tests.openapi_documents import SERVICES, service_app

METHODS = {"get", "post", "put", "patch", "delete"}


def operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def resolved(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return document["components"]["schemas"][name]
    return schema


def has_example(document: dict[str, Any], media: dict[str, Any]) -> bool:
    """An example on the media type, or on the schema it names (as pydantic writes them)."""
    schema = resolved(document, media.get("schema", {}))
    return any(key in media for key in ("example", "examples")) or bool(schema.get("examples"))


@pytest.fixture(scope="module", params=list(SERVICES))
def document(request: pytest.FixtureRequest) -> dict[str, Any]:
    return service_app(request.param).openapi()


def test_every_v1_operation_declares_401_and_422(document: dict[str, Any]) -> None:
    api = [(name, op) for name, op in operations(document) if " /v1/" in name]
    assert api, "no /v1 operation found"
    for name, operation in api:
        missing = {"401", "422"} - set(operation["responses"])
        assert not missing, f"{name} does not declare {sorted(missing)}"


def test_every_declared_answer_has_an_example(document: dict[str, Any]) -> None:
    without = [
        f"{name} {status} {media_type}"
        for name, operation in operations(document)
        for status, answer in operation["responses"].items()
        for media_type, media in answer.get("content", {}).items()
        if not has_example(document, media)
    ]
    assert not without, f"answers without an example: {without}"


def test_every_error_answer_has_a_body_model(document: dict[str, Any]) -> None:
    without = [
        f"{name} {status}"
        for name, operation in operations(document)
        for status, answer in operation["responses"].items()
        if status.startswith(("4", "5"))
        and not answer.get("content", {}).get("application/json", {}).get("schema")
    ]
    assert not without, f"error answers without a JSON body model: {without}"


def test_every_request_body_and_parameter_has_an_example(document: dict[str, Any]) -> None:
    without = [
        f"{name} body"
        for name, operation in operations(document)
        for media in operation.get("requestBody", {}).get("content", {}).values()
        if not has_example(document, media)
    ]
    without += [
        f"{name} {parameter['in']} {parameter['name']}"
        for name, operation in operations(document)
        for parameter in operation.get("parameters", [])
        if not (
            parameter.get("example")
            or parameter.get("examples")
            or parameter["schema"].get("examples")
        )
    ]
    assert not without, f"inputs without an example: {without}"
