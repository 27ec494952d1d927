"""Request vocabulary shared by the services' APIs: the menu and an order line."""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Product(StrEnum):
    LASAGNA = "Lasagna"
    DOUBLE_CHEESEBURGER = "Double Cheeseburger"
    VEIL = "Veil with glazed onions and blue cheese"
    VEGETARIAN_SALAD = "Vegetarian Salad with healthy produce"


class Item(BaseModel):
    """One order line: a product from the menu and how many."""

    model_config = ConfigDict(extra="forbid")

    product: Product
    quantity: int = Field(ge=1, le=100)
