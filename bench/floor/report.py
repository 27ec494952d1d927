"""The floor's Markdown: part A's rates and plans, part B's cost per order, and the limits."""

from bench.floor.docs import Doc
from bench.floor.limits import SECTION_SHAPES_NOTE, per_order
from bench.floor.shapes import SHAPES


def fmt(value: float | None, digits: int = 1) -> str:
    """A number for a table cell ('-' when missing)."""
    return "-" if value is None else f"{value:,.{digits}f}"


def growth(results: list[Doc], name: str) -> str:
    """'grows', 'slower' or 'flat': how the rate changed from the first level to the last."""
    # 'grows': it fell more than halfway (geometrically) from flat to proportional to the size;
    # 'slower': under 0.6 (a busy machine, or log n).
    first, last = results[0]["shapes"][name], results[-1]["shapes"][name]
    ratio = last["rates"]["false"]["rate"] / max(first["rates"]["false"]["rate"], 0.1)
    size = results[0]["documents"] / max(results[-1]["documents"], 1)
    verdict = "grows" if ratio < size**0.5 else "slower" if ratio < 0.6 else "flat"
    return f"{verdict} (rate x{ratio:.2f}, size x{1 / size:.0f})"


def table_a(a: Doc) -> list[str]:
    """Markdown: ops/s per shape per level, retryWrites both ways, plan and growth."""
    levels = a["levels"]
    head = " | ".join(f"{r['level']:,}" for r in levels)
    lines = [
        f"| shape | retryWrites | {head} | plan (largest level) | docs examined | cost |",
        "|---|---|" + "---|" * len(levels) + "---|---|---|",
    ]
    for shape in SHAPES:
        variants = levels[0]["shapes"][shape.name]["rates"]
        for variant in variants:
            cells = []
            for level in levels:
                rate = level["shapes"][shape.name]["rates"][variant]
                cells.append(
                    fmt(rate["rate"], 0)
                    + (" (c=1)" if rate.get("concurrency") == 1 else "")
                    + (f" ({sum(rate['errors'].values())} err)" if rate["errors"] else "")
                )
            plan = levels[-1]["shapes"][shape.name]["explain"] or {}
            docs = " / ".join(
                str((level["shapes"][shape.name]["explain"] or {}).get("docs", "-"))
                for level in levels
            )
            lines.append(
                f"| {shape.name} | {variant} | {' | '.join(cells)} | "
                f"{plan.get('plan', plan.get('error', '-'))} | {docs} | "
                f"{growth(levels, shape.name) if variant == 'false' else ''} |"
            )
    lines += ["", "| level | documents | insert_many docs/s while growing |", "|---|---|---|"]
    for level in levels:
        grow_info = level["grow"]
        lines.append(
            f"| {level['level']:,} | {level['documents']:,} | "
            f"{fmt(grow_info['docs_per_s'], 0)} ({grow_info['added']:,} in "
            f"{grow_info['seconds']} s) |"
        )
    lines += ["", "| Redis | ops/s |", "|---|---|"]
    lines += [f"| {name} | {fmt(r['rate'], 0)} |" for name, r in a["redis"].items()]
    lines += ["", f"Profiler (system.profile) on this server: {a['profiler']}"]
    return lines


def rows_b(b: Doc) -> list[tuple[str, str, str]]:
    """(what, raw per order, net of idle per order) for every counter worth showing."""
    rows = []

    def add(label: str, prefix: str, scale: float = 1.0, digits: int = 2) -> None:
        """One row per counter with this prefix that is not about zero."""
        raw, net = per_order(b, prefix, "run"), per_order(b, prefix)
        for key, value in raw.items():
            if abs(value) * scale >= 0.005:
                rows.append((label.format(key), fmt(value * scale, digits),
                             fmt(net[key] * scale, digits)))  # fmt: skip

    add("CPU ms, {}", "cpu.", 1000, 1)
    add("CPU ms, whole machine (all processes, all users)", "machine.busy", 1000, 1)
    add("db ops on the stack's database, {} (top)", "ns.")
    add("db server time ms, {} (top, wall time)", "nsus.", 1 / 1000, 1)
    add("db ops, whole server, {} (serverStatus opcounters)", "server.")
    add("broker messages, {}", "mq.")
    add("HTTP requests answered, {}", "http.")
    add("HTTP calls made, {}", "calls.")
    return rows


def limit_rows(limit: Doc) -> list[str]:
    """Markdown rows: the CPU limits, the database limit per level, the machine's limit."""
    cores = limit["cores"]
    lines = [
        "| limit | orders/s |",
        "|---|---|",
        f"| CPU: {cores} cores / (stack + driver) CPU s per order (net) | "
        f"{fmt(limit['cpu_limit_with_driver'])} |",
        f"| CPU: {cores} cores / stack CPU s per order (net, driver excluded) | "
        f"{fmt(limit['cpu_limit_without_driver'])} |",
    ]
    for level, db in limit.get("db", {}).items():
        sections = ", ".join(f"{k} {fmt(v)}" for k, v in db["per_section"].items())
        lines.append(
            f"| DB with {int(level):,} stored orders: min over top sections of shape rate / uses "
            f"per order ({sections}) / all sections together on one server | "
            f"{fmt(db['min'])} / {fmt(db['together'])} |"
        )
    if "machine_limit" in limit:
        lines.append(
            f"| **machine's limit for the workload: the smallest of CPU (stack + driver) and DB "
            f"together** ({limit['machine_limit_by']}) | **{fmt(limit['machine_limit'])}** |"
        )
    if limit.get("db"):
        lines += ["", f"DB limit: {SECTION_SHAPES_NOTE}; {limit['db_variant']}."]
    return lines


def table_b(b: Doc, limit: Doc) -> list[str]:
    """Markdown: CPU ms, database operations, messages and HTTP calls per order, and limits."""
    lines = [
        f"{b['completed']} of {b['orders']} orders completed by the workload driver "
        f"(`python -m bench workload`, concurrency {b['concurrency']}, a child process) in "
        f"{b['driver_run_s']:.1f} s ({b['driver_orders_per_s']:.1f} orders/s); counted over "
        f"{b['run']['clock']:.1f} s (the child's {b['run_s']} s, then until the broker's sampled "
        f"totals settled); {b['placed_in_window']} placed in that window in all. Numbers are "
        f"per order (divided by {b['per']}); 'net' subtracts what the stack did in an idle "
        "window of the same length. The driver's CPU is its own, measured by it during its run "
        "(imports and result files left out; the whole child process is the 'driver process, "
        "whole' row). HTTP requests answered by our services and the calls they made come from "
        "their GET /metrics (by route template and status), the mocks' from their logs.",
        "",
        *(line for warning in b["warnings"] for line in (f"**Warning:** {warning}.", "")),
        "| what | per order | net of idle |",
        "|---|---|---|",
        *(f"| {what} | {raw} | {net} |" for what, raw, net in rows_b(b)),
        "",
        *limit_rows(limit),
    ]
    if b.get("profiled"):
        lines += [
            "",
            "| command shape on the stack's database (profiler) | per order | plan (explain) |",
            "|---|---|---|",
        ]
        lines += [
            f"| {shape} | {fmt(found['per_order'], 2)} | {found['plan']} |"
            for shape, found in b["profiled"].items()
        ]
    return lines


def markdown(result: Doc, heading: str = "#") -> str:
    """The whole report; `heading` is the level of its title ('#', '##', ...)."""
    lines = [f"{heading} Floor {result['when']} (MongoDB {result['mongo_url']})", ""]
    if "part_a" in result:
        lines += [
            f"{heading}# A: raw rates on {result['part_a']['server']}, ops/s at concurrency "
            f"{result['args']['concurrency']}",
            "",
            *table_a(result["part_a"]),
            "",
        ]
    if "part_b" in result:
        lines += [
            f"{heading}# B: cost of one completed order ({result['part_b']['server']})",
            "",
            *table_b(result["part_b"], result["limits"]),
        ]
    return "\n".join(lines) + "\n"
