"""What business rules see of a store of aggregates with a status (servicekit.state_store):
typed by the aggregate, free of MongoDB (ports extend it with their own queries)."""

from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from typing import Any, Protocol, TypeVar

from servicekit.contracts import Event


class Aggregate(Protocol):
    id: str
    status: Any
    version: int


T = TypeVar("T", bound=Aggregate)
Changes = Mapping[str, Any] | None  # field names of the aggregate and their values
Statuses = Iterable[Enum]


class States(Protocol[T]):
    """Stored aggregates of one type; changes and conditions name fields of the aggregate."""

    async def get(self, entity_id: str) -> T | None: ...

    async def transition(
        self,
        entity_id: str,
        allowed_from: Statuses,
        to: Enum,
        changes: Changes = None,
        events: Sequence[Event] = (),
    ) -> T | None:
        """Move to `to` if the status is one of `allowed_from`, with `changes`, a history entry
        (unless it stays where it is) and the events, in one write; None (nothing stored)
        when it is not."""

    async def update(
        self, entity_id: str, changes: Mapping[str, Any], only_if: Changes = None
    ) -> T | None:
        """Set fields without a status change; None when the aggregate is not there or its
        fields in `only_if` have other values."""

    async def delete(self, entity_id: str, only_if: Changes = None) -> bool: ...
