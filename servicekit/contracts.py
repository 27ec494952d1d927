"""Vocabulary the services share: the menu, an order line, the outside parties' status
reports, the status message every party exchanges, and a status event."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Product(StrEnum):
    LASAGNA = "Lasagna"
    DOUBLE_CHEESEBURGER = "Double Cheeseburger"
    VEIL = "Veil with glazed onions and blue cheese"
    VEGETARIAN_SALAD = "Vegetarian Salad with healthy produce"


# What the transport company and the restaurant report about an order, in the order it
# happens, and the routing key each report comes under (DESIGN.md §5, §6).
OUTSIDE_REPORTS: dict[str, str] = {
    "driverAvailable": "delivery.driverAvailable",
    "cookingMeal": "kitchen.cookingMeal",
    "cookingDone": "kitchen.cookingDone",
    "pickedUp": "kitchen.pickedUp",
    "inTransit": "delivery.inTransit",
    "delivered": "delivery.delivered",
}


class Item(BaseModel):
    """One order line: a product from the menu and how many."""

    model_config = ConfigDict(extra="forbid")

    product: Product
    quantity: int = Field(ge=1, le=100)


class Metadata(BaseModel):
    """Who a status message is for and which order it is about."""

    model_config = ConfigDict(extra="allow")

    receiver: str = Field(min_length=1)
    order_id: str = Field(min_length=1)
    customer_id: str = Field(min_length=1)


class StatusMessage(BaseModel):
    """`{status, metadata}` plus whatever the source adds (delivery_id, kitchen_id, distance...)."""

    model_config = ConfigDict(extra="allow")

    status: str = Field(min_length=1)
    metadata: Metadata


@dataclass(frozen=True)
class Event:
    """An event to publish together with a state change (through the outbox)."""

    routing_key: str
    body: dict[str, Any]


def status_body(
    status: str, receiver: str, order_id: str, customer_id: str, **extra: Any
) -> dict[str, Any]:
    """`{status, metadata: {receiver, order_id, customer_id}, ...}`: a status message's body."""
    return {
        "status": status,
        "metadata": {"receiver": receiver, "order_id": order_id, "customer_id": customer_id},
        **extra,
    }


def status_event(
    routing_key: str, receiver: str, order_id: str, customer_id: str, **extra: Any
) -> Event:
    """A status body under `<source>.<status>`, its status taken from the routing key."""
    status = routing_key.split(".", 1)[1]
    return Event(routing_key, status_body(status, receiver, order_id, customer_id, **extra))
