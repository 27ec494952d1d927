"""In-memory doubles of servicekit's stores for unit tests of business rules; they follow the
same rules as the real ones (conditional changes, unique keys, versions, stored events)."""

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from enum import Enum
from typing import Any, Generic

from servicekit.clock import now_ms
from servicekit.contracts import Event
from servicekit.states import T


class InMemoryStateStore(Generic[T]):
    """StateStore's behaviour over a dict; `events` lists every event stored with a change."""

    def __init__(self, unique: Iterable[str] = ()) -> None:
        self.items: dict[str, T] = {}
        self.events: list[Event] = []
        self._unique = tuple(unique)  # fields no two aggregates share (None never clashes)

    def _clashes(self, entity: T) -> bool:
        return any(
            getattr(entity, name) is not None and getattr(entity, name) == getattr(existing, name)
            for existing in self.items.values()
            for name in self._unique
        )

    async def insert(self, entity: T, events: Sequence[Event] = ()) -> bool:
        if entity.id in self.items or self._clashes(entity):
            return False
        self.items[entity.id] = copy.deepcopy(entity)
        self.events.extend(events)
        return True

    async def get(self, entity_id: str) -> T | None:
        return copy.deepcopy(self.items.get(entity_id))

    async def find_one(self, **equal: Any) -> T | None:
        for entity in self.items.values():
            if _matches(entity, equal):
                return copy.deepcopy(entity)
        return None

    async def transition(
        self,
        entity_id: str,
        allowed_from: Iterable[Enum],
        to: Enum,
        changes: Mapping[str, Any] | None = None,
        events: Sequence[Event] = (),
    ) -> T | None:
        entity = self.items.get(entity_id)
        allowed = set(allowed_from)
        if entity is None or entity.status not in allowed:
            return None
        now = now_ms()
        history = list(entity.history)  # type: ignore[attr-defined]
        if allowed != {to}:
            history.append({"status": to.value, "at": now})
        self.items[entity_id] = replace(  # type: ignore[type-var]
            entity,
            status=to,
            history=history,
            updated_at=now,
            version=entity.version + 1,
            **(changes or {}),
        )
        self.events.extend(events)
        return copy.deepcopy(self.items[entity_id])

    async def update(
        self, entity_id: str, changes: Mapping[str, Any], only_if: Mapping[str, Any] | None = None
    ) -> T | None:
        entity = self.items.get(entity_id)
        if entity is None or not _matches(entity, only_if or {}):
            return None
        self.items[entity_id] = replace(  # type: ignore[type-var]
            entity, updated_at=now_ms(), version=entity.version + 1, **changes
        )
        return copy.deepcopy(self.items[entity_id])

    async def delete(self, entity_id: str, only_if: Mapping[str, Any] | None = None) -> bool:
        entity = self.items.get(entity_id)
        if entity is None or not _matches(entity, only_if or {}):
            return False
        del self.items[entity_id]
        return True


def _matches(entity: Any, equal: Mapping[str, Any]) -> bool:
    return all(getattr(entity, name) == value for name, value in equal.items())
