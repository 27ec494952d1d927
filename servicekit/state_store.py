"""Aggregates with a status (orders, payments) kept as documents: conversion both ways, a
conditional status change that stores the events it causes, and field updates.

An aggregate is a dataclass with `id`, `status` (a StrEnum), `updated_at`, `history` and
`version`. Callers speak in field names and values, never in MongoDB's query language.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, fields
from enum import Enum
from typing import Any, Generic, get_type_hints

from pymongo.errors import DuplicateKeyError

from servicekit.clock import now_ms
from servicekit.contracts import Event
from servicekit.document_store import DocumentStore
from servicekit.states import T


class EntityCodec(Generic[T]):
    """A dataclass to a document (`id` as `_id`, enums as their values) and back."""

    def __init__(self, entity: type[T]) -> None:
        self.entity = entity
        self.names = frozenset(field.name for field in fields(entity))  # type: ignore[arg-type]
        hints = get_type_hints(entity)
        self._enums = {
            name: hint
            for name, hint in hints.items()
            if isinstance(hint, type) and issubclass(hint, Enum)
        }

    def to_document(self, entity: T) -> dict[str, Any]:
        document = asdict(entity)  # type: ignore[call-overload]
        document["_id"] = document.pop("id")
        return {key: _plain(value) for key, value in document.items()}

    def to_entity(self, document: Mapping[str, Any]) -> T:
        values = {key: value for key, value in document.items() if key in self.names}
        values["id"] = document["_id"]
        for name, enum in self._enums.items():
            if name in values:
                values[name] = enum(values[name])
        return self.entity(**values)

    def fields(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        """`changes` as document fields; a name the entity does not have is a bug, not data."""
        unknown = set(changes) - self.names
        if unknown:
            raise ValueError(f"{self.entity.__name__} has no field {sorted(unknown)}")
        return {key: _plain(value) for key, value in changes.items()}


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


class StateStore(Generic[T]):
    """Aggregates of one type in a DocumentStore; every change is one conditional write."""

    def __init__(
        self,
        documents: DocumentStore,
        entity: type[T],
        extra_fields: Callable[[T], Mapping[str, Any]] = lambda _: {},
    ) -> None:
        self.documents = documents
        self.codec = EntityCodec(entity)
        self._extra_fields = extra_fields  # stored beside the entity (e.g. when to charge it)

    def _entity(self, document: Mapping[str, Any] | None) -> T | None:
        return self.codec.to_entity(document) if document is not None else None

    async def insert(self, entity: T, events: Sequence[Event] = ()) -> bool:
        """Store a new aggregate with its events; False (nothing stored) when one of its
        unique keys is taken."""
        document = {**self.codec.to_document(entity), **self._extra_fields(entity)}
        try:
            await self.documents.insert(document, events)
        except DuplicateKeyError:
            return False
        return True

    async def get(self, entity_id: str) -> T | None:
        return self._entity(await self.documents.get(entity_id))

    async def find_one(self, **equal: Any) -> T | None:
        return self._entity(await self.documents.find_one(self.codec.fields(equal)))

    async def transition(
        self,
        entity_id: str,
        allowed_from: Iterable[Enum],
        to: Enum,
        changes: Mapping[str, Any] | None = None,
        events: Sequence[Event] = (),
    ) -> T | None:
        """Move to `to` if the status is one of `allowed_from`, with `changes`, a history entry
        (unless it stays where it is) and the events; None (nothing stored) when it is not."""
        now = now_ms()
        allowed = [_plain(status) for status in allowed_from]
        update: dict[str, Any] = {
            "$set": {"status": _plain(to), "updated_at": now, **self.codec.fields(changes or {})}
        }
        if allowed != [_plain(to)]:
            update["$push"] = {"history": {"status": _plain(to), "at": now}}
        query = {"_id": entity_id, "status": {"$in": allowed}}
        return self._entity(await self.documents.update(query, update, events))

    async def update(
        self, entity_id: str, changes: Mapping[str, Any], only_if: Mapping[str, Any] | None = None
    ) -> T | None:
        """Set fields without a status change, if the fields in `only_if` have those values;
        None when the aggregate is not there or does not match."""
        query = {"_id": entity_id, **self.codec.fields(only_if or {})}
        update = {"$set": {**self.codec.fields(changes), "updated_at": now_ms()}}
        return self._entity(await self.documents.update(query, update))

    async def delete(self, entity_id: str, only_if: Mapping[str, Any] | None = None) -> bool:
        return await self.documents.delete({"_id": entity_id, **self.codec.fields(only_if or {})})
