"""design_docs/asyncapi.yaml agrees with the code: every routing key a service publishes or
consumes is a channel there, with the operation, the fields and the required fields the code
reads (the consumers' message models) and writes (the builders of the events, as the outbox
stores them)."""

import uuid
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator, FormatChecker

from DistanceService.business.models import DistanceCalculation, calculated_event
from DistanceService.web.events import event_routes as distance_routes
from OrderService.business.models import Order, order_event
from OrderService.business.state_machine import OrderStatus
from OrderService.web.events import event_routes as order_routes
from PaymentService.business.models import (
    CALLBACK_RULES,
    Payment,
    PaymentStatus,
    payment_event,
)
from servicekit.contracts import OUTSIDE_REPORTS, Event, Product, status_event
from servicekit.outbox import event_record

DOC = yaml.safe_load((Path(__file__).parents[2] / "design_docs" / "asyncapi.yaml").read_text())
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ORDER_ID, CUSTOMER_ID = str(uuid.uuid4()), str(uuid.uuid4())

# Routes only bind their ports into partials: nothing is called.
CONSUMED = {
    "OrderService": order_routes(
        SimpleNamespace(
            orders=None, customers=None, deliveries=None, kitchen=None, payments=None, charges=None
        )
    ),
    "DistanceService": distance_routes(
        SimpleNamespace(distances=None, customers=None, restaurant=None)
    ),
}


def published() -> dict[str, tuple[str, Event]]:
    """Each routing key our services publish: the publisher and an event built by its own code."""
    order = Order(
        ORDER_ID,
        CUSTOMER_ID,
        [{"product": "Lasagna", "quantity": 2}],
        OrderStatus.CREATED,
        NOW,
        NOW,
    )
    payment = Payment(
        str(uuid.uuid4()), ORDER_ID, CUSTOMER_ID, "OrderService", PaymentStatus.PAID, NOW, NOW
    )
    distance = DistanceCalculation(
        ORDER_ID, CUSTOMER_ID, NOW, latitude=52.5, longitude=13.4, distance_km=4.2,
        estimated_delivery_minutes=23,
    )  # fmt: skip
    no_distance = DistanceCalculation(
        ORDER_ID, CUSTOMER_ID, NOW, unavailable_reason="the address has no coordinates"
    )
    events = {
        key: ("OrderService", order_event(order, key))
        for key in ("order.created", "order.cancelled")
    }
    for rule in CALLBACK_RULES.values():
        event = payment_event(payment, rule.event, transaction_id=str(uuid.uuid4()))
        events[rule.event] = ("PaymentService", event)
    events["distance.calculated"] = ("DistanceService", calculated_event(distance))
    events["distance.unavailable"] = ("DistanceService", calculated_event(no_distance))
    return events


PUBLISHED = published()
CONSUMED_KEYS = [(service, key) for service, routes in CONSUMED.items() for key in routes]


def resolve(node: Any) -> Any:
    """`node` with every local $ref replaced by what it points to (the document has no cycles)."""
    if isinstance(node, list):
        return [resolve(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = DOC
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return resolve(target)
    return {name: resolve(value) for name, value in node.items()}


def fields(schema: dict[str, Any]) -> tuple[set[str], dict[str, dict[str, Any]]]:
    """The required fields and the properties of an object schema, its allOf parts merged."""
    required = set(schema.get("required", []))
    properties = dict(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        part_required, part_properties = fields(part)
        required |= part_required
        for name, value in part_properties.items():
            properties[name] = {"allOf": [properties[name], value]} if name in properties else value
    return required, properties


def channel(routing_key: str) -> dict[str, Any]:
    matches = [c for c in DOC["channels"].values() if c["address"] == routing_key]
    assert len(matches) == 1, f"{routing_key}: {len(matches)} channels in the AsyncAPI document"
    return resolve(matches[0])


def payload(routing_key: str) -> dict[str, Any]:
    (message,) = channel(routing_key)["messages"].values()
    return message["payload"]


def operations(service: str, action: str) -> set[str]:
    """The addresses of the channels `service` has an operation with `action` (send|receive) on."""
    return {
        resolve(operation["channel"])["address"]
        for operation in DOC["operations"].values()
        if operation["action"] == action
        and service in {tag["name"] for tag in operation.get("tags", [])}
    }


def model_fields(schema: dict[str, Any]) -> tuple[set[str], dict[str, Any]]:
    return set(schema.get("required", [])), schema.get("properties", {})


def metadata_of(model_schema: dict[str, Any]) -> dict[str, Any]:
    ref = model_schema["properties"]["metadata"]["$ref"]
    return model_schema["$defs"][ref.rsplit("/", 1)[1]]


def validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=FormatChecker())


@pytest.mark.parametrize(("service", "key"), CONSUMED_KEYS)
def test_every_consumed_key_has_a_receive_operation_of_its_service(service: str, key: str) -> None:
    channel(key)
    assert key in operations(service, "receive")


@pytest.mark.parametrize("key", sorted(PUBLISHED))
def test_every_published_key_has_a_send_operation_of_its_publisher(key: str) -> None:
    channel(key)
    assert key in operations(PUBLISHED[key][0], "send")


@pytest.mark.parametrize("key", sorted(OUTSIDE_REPORTS.values()))
def test_every_outside_report_has_a_send_operation_of_an_outside_party(key: str) -> None:
    channel(key)
    assert key in operations("TransportCompany", "send") | operations("Restaurant", "send")


@pytest.mark.parametrize("service", sorted(CONSUMED))
def test_each_service_queue_is_bound_to_exactly_the_keys_of_its_routing_table(
    service: str,
) -> None:
    assert set(channel(service)["x-binding-keys"]) == set(CONSUMED[service])


@pytest.mark.parametrize(("service", "key"), CONSUMED_KEYS)
def test_a_consumed_message_documents_every_field_its_model_reads_and_requires(
    service: str, key: str
) -> None:
    model = CONSUMED[service][key].model.model_json_schema()
    required, properties = fields(payload(key))
    model_required, model_properties = model_fields(model)
    assert set(model_properties) <= set(properties), f"{key}: fields the document lacks"
    assert model_required <= required, f"{key}: required by {service}, optional in the document"
    metadata_required, metadata_properties = fields(properties["metadata"])
    model_metadata_required, model_metadata_properties = model_fields(metadata_of(model))
    assert set(model_metadata_properties) <= set(metadata_properties)
    assert model_metadata_required <= metadata_required


@pytest.mark.parametrize("key", sorted(OUTSIDE_REPORTS.values()))
def test_an_outside_report_requires_exactly_what_order_service_requires(key: str) -> None:
    model = CONSUMED["OrderService"][key].model.model_json_schema()
    required, properties = fields(payload(key))
    assert required == model_fields(model)[0]
    assert fields(properties["metadata"])[0] == model_fields(metadata_of(model))[0]


@pytest.mark.parametrize("key", sorted(OUTSIDE_REPORTS.values()))
def test_an_outside_report_as_ops_send_status_builds_it_matches_its_payload(key: str) -> None:
    body = status_event(key, "OrderService", ORDER_ID, CUSTOMER_ID).body
    validator(payload(key)).validate(body)


@pytest.mark.parametrize("key", sorted(PUBLISHED))
def test_a_published_event_as_the_outbox_stores_it_matches_its_payload(key: str) -> None:
    body = event_record(PUBLISHED[key][1], NOW)["body"]
    schema = payload(key)
    validator(schema).validate(body)
    required, properties = fields(schema)
    assert required <= set(body), f"{key}: required fields the builder does not produce"
    assert set(body) <= set(properties), f"{key}: fields the document does not describe"
    metadata_required, metadata_properties = fields(properties["metadata"])
    assert metadata_required <= set(body["metadata"]) <= set(metadata_properties)


def test_the_documented_menu_is_the_code_s() -> None:
    item = resolve(DOC["components"]["schemas"]["Item"])
    assert item["properties"]["product"]["enum"] == [product.value for product in Product]
