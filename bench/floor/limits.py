"""The machine's limit in orders/s: CPU per order against the cores, database ops against rates."""

import os
from collections import Counter

from bench.floor.cost import DRIVER
from bench.floor.docs import Doc
from servicekit.settings import ServiceSettings

# The measured shape that stands for one operation of each `top` section: point operations by
# _id; findAndModify, count and aggregate land in `commands`, costed as findAndModify.
SECTION_SHAPES: dict[str, str] = {
    "insert": "insert_one order",
    "queries": "find_one {_id}",
    "update": "transition: update_one {_id, status}",
    "remove": "transition: update_one {_id, status}",
    "getmore": "find_one {_id}",
    "commands": "find_one_and_update {_id, status} (after)",
}
SECTION_SHAPES_NOTE = "queries as find_one {_id}, updates as update_one, commands as findAndModify"
NOT_STACK = ("driver", "bench")  # CPU keys of the load generator and of this process


def per_order(result: Doc, prefix: str, column: str = "net") -> dict[str, float]:
    """Counters with this prefix (raw or net of idle), per order placed in the window."""
    return {
        key.removeprefix(prefix): value / result["per"]
        for key, value in result[column].items()
        if key.startswith(prefix)
    }


def stack_ops(b: Doc) -> dict[str, float]:
    """Operations per order on the stack's database by `top` section, all collections summed."""
    sections: Counter[str] = Counter()
    for key, value in per_order(b, "ns.", "run").items():
        sections[key.rpartition(".")[2]] += value
    return {section: value for section, value in sections.items() if value > 0}


def db_limit(ops: dict[str, float], level: Doc, variant: str) -> Doc:
    """Orders/s the database allows: per section, the min over them, and all of them together."""
    per_section, load = {}, 0.0
    for section, uses in ops.items():
        rates = level["shapes"][SECTION_SHAPES[section]]["rates"]
        rate = rates.get(variant, rates["false"])["rate"]
        per_section[section] = rate / uses if rate else 0.0
        load += uses / rate if rate else float("inf")
    return {
        "per_section": per_section,
        "min": min(per_section.values(), default=None),
        "together": 1 / load if load else None,
    }


def services_retry_writes(settings: ServiceSettings) -> str:
    """'true' or 'false': whether the services' client retries writes (setting, else URL)."""
    setting = getattr(settings, "mongo_retry_writes", None)
    if isinstance(setting, bool):
        return str(setting).lower()
    return "false" if "retrywrites=false" in settings.mongo_url.lower() else "true"


def cpu_limits(b: Doc) -> Doc:
    """Cores / CPU seconds per order (net of idle), with and without the driver's CPU."""
    cpu = per_order(b, "cpu.")
    cores = os.cpu_count() or 1
    stack = sum(value for key, value in cpu.items() if not key.startswith(NOT_STACK))
    driver = cpu.get(DRIVER.removeprefix("cpu."), 0.0)
    return {
        "cores": cores,
        "cpu_s_per_order_stack": stack,
        "cpu_s_per_order_driver": driver,
        "cpu_limit_with_driver": cores / (stack + driver) if stack + driver > 0 else None,
        "cpu_limit_without_driver": cores / stack if stack > 0 else None,
    }


def limits(a: Doc | None, b: Doc, settings: ServiceSettings) -> Doc:
    """The CPU limits, the database limit per level, and the machine's: the smallest of them."""
    result = cpu_limits(b)
    candidates = {"CPU (stack + driver)": result["cpu_limit_with_driver"]}
    if a and a["levels"]:
        variant = services_retry_writes(settings)
        ops = stack_ops(b)
        result["db_variant"] = f"retryWrites={variant} (as the services' settings)"
        result["db_ops_per_order"] = ops
        result["db"] = {level["level"]: db_limit(ops, level, variant) for level in a["levels"]}
        for level, found in result["db"].items():
            candidates[f"DB at {level:,} stored (all sections on one server)"] = found["together"]
    known = {name: value for name, value in candidates.items() if value is not None}
    if known:
        result["machine_limit_by"] = min(known, key=known.__getitem__)
        result["machine_limit"] = known[result["machine_limit_by"]]
    return result
