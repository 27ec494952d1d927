"""The profiler's view of part B: every command on the stack's database, by shape, with plans."""

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import AsyncMongoClient

from bench.floor.docs import Doc, stages

SESSION_KEYS = {"lsid", "txnNumber", "autocommit", "startTransaction", "readConcern"}


def filter_keys(query: Any) -> str:
    """'{_id, outbox_due_at $lte}': the fields of a filter and the operators used on them."""
    if not isinstance(query, dict):
        return "{}"
    parts = []
    for key, value in query.items():
        operators = [op for op in value if op.startswith("$")] if isinstance(value, dict) else []
        parts.append(" ".join([key, *sorted(operators)]))
    return "{" + ", ".join(sorted(parts)) + "}"


def command_shape(command: Doc) -> str:
    """A profiled command as its shape: name, collection, filter fields, update operators."""
    name = next(iter(command), "?")
    target = command.get(name) if name != "getMore" else command.get("collection")
    if name == "find":
        sort = f" sort {','.join(command['sort'])}" if command.get("sort") else ""
        return f"find {target} {filter_keys(command.get('filter'))}{sort}"
    if name == "update":
        statement = (command.get("updates") or [{}])[0]
        change = statement.get("u", {})
        operators = ",".join(sorted(change)) if isinstance(change, dict) else "pipeline"
        multi = " multi" if statement.get("multi") else ""
        return f"update{multi} {target} {filter_keys(statement.get('q'))} {operators}"
    if name.lower() == "findandmodify":
        change = command.get("update") or {}
        operators = ",".join(sorted(change)) if isinstance(change, dict) else "remove"
        return f"findAndModify {target} {filter_keys(command.get('query'))} {operators}"
    if name == "aggregate":
        stages = [next(iter(stage), "?") for stage in command.get("pipeline", [])]
        first = (command.get("pipeline") or [{}])[0].get("$match")
        return f"aggregate {target} {filter_keys(first)} {','.join(stages)}"
    if name == "delete":
        return f"delete {target} {filter_keys((command.get('deletes') or [{}])[0].get('q'))}"
    return f"{name} {target}" if isinstance(target, str) else name


@dataclass
class Profile:
    """Commands the profiler recorded, by shape, with one sample of each."""

    counts: Counter[str] = field(default_factory=Counter)
    samples: dict[str, Doc] = field(default_factory=dict)
    plans: dict[str, str] = field(default_factory=dict)


@asynccontextmanager
async def profiling(client: AsyncMongoClient, db_name: str, on: bool) -> AsyncIterator[Profile]:
    """Record every command on the stack's database while the block runs, then restore."""
    found = Profile()
    if not on:
        yield found
        return
    db = client[db_name]
    previous = await db.command("profile", -1)
    existed = "system.profile" in await db.list_collection_names()
    started = datetime.now(UTC) - timedelta(seconds=1)
    await db.command("profile", 2)
    try:
        yield found
    finally:
        await db.command("profile", int(previous.get("was", 0)), slowms=previous.get("slowms", 100))
    async for entry in db["system.profile"].find({"ts": {"$gte": started}}, {"command": 1}):
        shape = command_shape(entry.get("command", {}))
        found.counts[shape] += 1
        found.samples.setdefault(shape, entry.get("command", {}))
    if not existed:
        await db.drop_collection("system.profile")
    for shape, command in found.samples.items():
        found.plans[shape] = await plan_of(db, command)


async def plan_of(db: Any, command: Doc) -> str:
    """The winning plan of a recorded command (queryPlanner only: nothing is executed)."""
    if next(iter(command), "") not in ("find", "update", "findAndModify", "delete", "count"):
        return "-"
    clean = {k: v for k, v in command.items() if not k.startswith("$") and k not in SESSION_KEYS}
    try:
        answer = await db.command("explain", clean, verbosity="queryPlanner")
    except Exception as error:
        return f"explain failed: {type(error).__name__}"
    return " > ".join(stages(answer.get("queryPlanner", {}).get("winningPlan", {})))
