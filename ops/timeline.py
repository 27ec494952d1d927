"""An order's whole story in one view: each HTTP call, each event published and consumed (with
retries and dead-letters) and each state change, with its time and the service that did it.

Spans come from the span files (`SPANS_DIR`, default .state/logs/spans-<service>.jsonl, written
when no OTLP endpoint is configured); state changes from the records the services keep in
MongoDB (the order's and the payment's history, the distance).
"""

import argparse
from pathlib import Path

import ujson

from ops.common import fail, run, settings
from ops.story import Step, in_order, order_spans, record_steps, span_step
from servicekit.mongo import MongoEngine


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ops.timeline", description=__doc__)
    parser.add_argument("order_id")
    parser.add_argument("--spans-dir", type=Path, help="default: the SPANS_DIR setting")
    parser.add_argument("--all", action="store_true", help="also database and cache calls")
    parser.add_argument("--json", action="store_true", help="one JSON object per step")
    return parser.parse_args(argv)


async def records(order_id: str) -> tuple[dict | None, dict | None, dict | None]:
    config = settings()
    mongo = MongoEngine(config.mongo_url, config.mongo_db, timeout_ms=2000)
    try:
        db = mongo.db
        return (
            await db.orders.find_one({"_id": order_id}),
            await db.payments.find_one({"order_id": order_id}),
            await db.distances.find_one({"_id": order_id}),
        )
    except Exception as error:
        fail(f"MongoDB is not reachable ({error!r}); is the stack running? (make up)")
    finally:
        await mongo.close()


def story(order_id: str, spans_dir: Path, stored: tuple, details: bool) -> list[Step]:
    steps = [
        step for span in order_spans(spans_dir, order_id) if (step := span_step(span, details))
    ]
    return in_order([*steps, *record_steps(*stored)])


def show(steps: list[Step], as_json: bool) -> None:
    if as_json:
        for step in steps:
            line = {"at": step.at.isoformat(), "service": step.service, "what": step.what}
            print(ujson.dumps({**line, "trace_id": step.trace_id}))
        return
    start = steps[0].order_key[0]
    width = max(len(step.service) for step in steps)
    for step in steps:
        offset = (step.order_key[0] - start).total_seconds()
        clock = step.at.strftime("%H:%M:%S.%f")[:-3]
        print(f"{clock}  +{offset:8.3f} s  {step.service:<{width}}  {step.what}")


async def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    spans_dir = args.spans_dir or Path(settings().spans_dir)
    stored = await records(args.order_id)
    if stored[0] is None and stored[1] is None:
        fail(f"no order {args.order_id} in the database")
    steps = story(args.order_id, spans_dir, stored, args.all)
    if not any(step.trace_id for step in steps):
        print(f"(no spans for this order in {spans_dir}/spans-*.jsonl: only stored changes)")
    show(steps, args.json)
    return 0


if __name__ == "__main__":
    run(main)
