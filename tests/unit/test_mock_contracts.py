"""Our mocks/ are compatible extensions of the outside companies' original contracts: every
path, parameter, body and answer the original defines is there unchanged; the mocks only add
optional fields, optional parameters, answers and endpoints."""

from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ORIGINALS = ROOT / "contracts" / "original"
SHARED_ORIGINALS = ROOT.parent / "shared" / "contracts" / "original"
DOCUMENTS = ("customers.yaml", "deliveries.yaml", "kitchen.yaml")
# What a schema promises; descriptions, titles, examples and defaults only explain.
RULES = (
    "type", "enum", "format", "minimum", "maximum", "exclusiveMinimum", "minItems", "maxItems",
    "minLength", "maxLength", "pattern", "additionalProperties", "anyOf", "oneOf", "allOf",
)  # fmt: skip
METHODS = ("get", "put", "post", "delete", "patch")


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def resolved(document: dict[str, Any], node: Any) -> Any:
    """The node with every local $ref replaced by what it points to."""
    if isinstance(node, list):
        return [resolved(document, item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return resolved(document, target)
    return {key: resolved(document, value) for key, value in node.items()}


def schema_problems(original: dict, mock: dict, where: str) -> list[str]:
    problems = [
        f"{where}: {rule} {mock.get(rule)!r} instead of {original.get(rule)!r}"
        for rule in RULES
        if rule not in ("anyOf", "oneOf", "allOf") and original.get(rule) != mock.get(rule)
    ]
    for rule in ("anyOf", "oneOf", "allOf"):
        if strip(original.get(rule)) != strip(mock.get(rule)):
            problems.append(f"{where}: {rule} differs")
    if set(original.get("required", [])) != set(mock.get("required", [])):
        problems.append(f"{where}: required {mock.get('required')} instead of "
                        f"{original.get('required')}")  # fmt: skip
    for name, prop in original.get("properties", {}).items():
        if name not in mock.get("properties", {}):
            problems.append(f"{where}.{name}: missing")
        else:
            problems += schema_problems(prop, mock["properties"][name], f"{where}.{name}")
    if "items" in original:
        problems += schema_problems(original["items"], mock.get("items", {}), f"{where}[]")
    return problems


def strip(node: Any) -> Any:
    """Only the rules of a schema, for comparing lists of alternatives."""
    if isinstance(node, list):
        return [strip(item) for item in node]
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k in (*RULES, "required", "properties")}
    return node


def operation_problems(original: dict, mock: dict, where: str) -> list[str]:
    problems: list[str] = []
    mine = {(p["name"], p["in"]): p for p in mock.get("parameters", [])}
    theirs = {(p["name"], p["in"]): p for p in original.get("parameters", [])}
    for key, parameter in theirs.items():
        if key not in mine:
            problems.append(f"{where} parameter {key}: missing")
            continue
        if parameter.get("required", False) != mine[key].get("required", False):
            problems.append(f"{where} parameter {key}: required differs")
        problems += schema_problems(parameter["schema"], mine[key]["schema"], f"{where} {key}")
    problems += [
        f"{where} parameter {key}: added as required"
        for key, parameter in mine.items()
        if key not in theirs and parameter.get("required", False)
    ]
    if "requestBody" in original:
        body, my_body = original["requestBody"], mock.get("requestBody", {})
        if body.get("required", False) != my_body.get("required", False):
            problems.append(f"{where} body: required differs")
        for media, content in body["content"].items():
            mine_content = my_body.get("content", {}).get(media, {})
            problems += schema_problems(
                content["schema"], mine_content.get("schema", {}), f"{where} body"
            )
    elif "requestBody" in mock:
        problems.append(f"{where}: a body the original does not take")
    for code, answer in original["responses"].items():
        if code not in mock["responses"]:
            problems.append(f"{where} answer {code}: missing")
            continue
        for media, content in answer.get("content", {}).items():
            mine_content = mock["responses"][code].get("content", {}).get(media, {})
            problems += schema_problems(
                content.get("schema", {}), mine_content.get("schema", {}), f"{where} {code}"
            )
    return problems


def compatibility_problems(original: dict, mock: dict) -> list[str]:
    original, mock = resolved(original, original), resolved(mock, mock)
    problems: list[str] = []
    for path, item in original["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            operation = mock["paths"].get(path, {}).get(method)
            where = f"{method.upper()} {path}"
            if operation is None:
                problems.append(f"{where}: missing")
            else:
                problems += operation_problems(item[method], operation, where)
    return problems


@pytest.mark.parametrize("name", DOCUMENTS)
def test_the_mock_is_a_compatible_extension_of_the_original(name: str) -> None:
    original = load(ORIGINALS / name)
    assert compatibility_problems(original, load(ROOT / "mocks" / name)) == []


def test_the_check_finds_what_breaks_compatibility() -> None:
    original = load(ORIGINALS / "deliveries.yaml")
    broken = load(ROOT / "mocks" / "deliveries.yaml")
    payload = broken["components"]["schemas"]["DeliveryPayload"]
    payload["required"].remove("metadata")
    broken["components"]["schemas"]["CustomerAddressSchema"]["required"].append("latitude")
    broken["paths"]["/v1/deliveries"]["post"]["parameters"][0] = {
        "name": "Idempotency-Key", "in": "header", "required": True, "schema": {"type": "string"},
    }  # fmt: skip
    del broken["paths"]["/health"]
    problems = "\n".join(compatibility_problems(original, broken))
    assert "POST /v1/deliveries body: required" in problems
    assert "body.address: required" in problems
    assert "('Idempotency-Key', 'header'): added as required" in problems
    assert "GET /health: missing" in problems


@pytest.mark.skipif(not SHARED_ORIGINALS.is_dir(), reason="no shared/ beside the repository")
@pytest.mark.parametrize("name", (*DOCUMENTS, "LICENSE"))
def test_the_repository_copy_of_the_originals_is_exact(name: str) -> None:
    assert (ORIGINALS / name).read_bytes() == (SHARED_ORIGINALS / name).read_bytes()
