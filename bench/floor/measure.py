"""Run an operation from concurrent clients for a bounded time and count; Redis rates."""

import asyncio
import os
import random
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from redis.asyncio import Redis

from bench.floor.docs import Doc

REDIS_SCRIPT = (
    "local n = redis.call('INCR', KEYS[1]) "
    "if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return n"
)


@dataclass
class Budget:
    """How long and how often each shape runs, and with how many concurrent clients."""

    seconds: float
    max_ops: int
    concurrency: int


async def measure(op: Callable[[], Awaitable[object]], budget: Budget) -> Doc:
    """Run `op` from concurrent workers until the time or the count is used up."""
    # A first operation runs alone; when it takes over an eighth of the time, the rest runs one
    # at a time, so that a slow shape leaves no queue of long operations behind on the server.
    claimed = done = 0
    errors: Counter[str] = Counter()

    async def once() -> None:
        """One operation, counted as done or as an error."""
        nonlocal claimed, done
        claimed += 1
        try:
            await op()
            done += 1
        except Exception as error:  # counted and reported, the run goes on
            errors[f"{type(error).__name__} {getattr(error, 'code', '')}".strip()] += 1

    async def worker(deadline: float) -> None:
        """Operations one after the other until the time or the count is used up."""
        while claimed < budget.max_ops and time.perf_counter() < deadline:
            await once()

    began = time.perf_counter()
    await once()
    slow = time.perf_counter() - began > budget.seconds / 8
    workers = 1 if slow else budget.concurrency
    await asyncio.gather(*(worker(began + budget.seconds) for _ in range(workers)))
    elapsed = time.perf_counter() - began
    return {
        "ops": done,
        "seconds": round(elapsed, 3),
        "rate": round(done / elapsed, 1),
        "concurrency": workers,
        "errors": dict(errors),
    }


async def redis_rates(url: str, budget: Budget) -> Doc:
    """GET and SET of a 2 KB value and EVALSHA of a small script, on scratch keys."""
    redis = Redis.from_url(url)
    prefix = f"bench_floor:{uuid.uuid4().hex[:8]}:"
    keys = [f"{prefix}{k}" for k in range(100)]
    value = os.urandom(1024).hex()
    rng = random.Random(5)
    try:
        for key in keys:
            await redis.set(key, value, ex=600)
        sha = await redis.script_load(REDIS_SCRIPT)
        ops: dict[str, Callable[[], Awaitable[object]]] = {
            "GET 2 KB": lambda: redis.get(rng.choice(keys)),
            "SET 2 KB EX": lambda: redis.set(rng.choice(keys), value, ex=600),
            "EVALSHA INCR+EXPIRE": lambda: redis.evalsha(sha, 1, f"{rng.choice(keys)}:n", 600),
        }
        return {name: await measure(op, budget) for name, op in ops.items()}
    finally:
        await redis.delete(*keys, *(f"{key}:n" for key in keys))
        await redis.aclose()
