"""One soak run: the simulator for `minutes` at a steady concurrency while the faults come
round every `every_s`, then the checks."""

import asyncio
import sys
import time
from dataclasses import dataclass, field, replace

from bench.common import say
from bench.soak import checks
from bench.soak.faults import Injected, rotation
from bench.soak.stack import EXCHANGE, SoakStack


@dataclass
class SoakResult:
    minutes: float
    concurrency: int
    every_s: float
    outage_s: float
    returncode: int = -1
    output: str = ""
    faults: list[Injected] = field(default_factory=list)
    dead_letters: dict[str, int] = field(default_factory=dict)
    server_errors: int = 0
    outbox_waiting: int = 0
    stored: int = 0
    per_minute: list[int] = field(default_factory=list)


async def simulate(stack: SoakStack, minutes: float, concurrency: int, env: dict[str, str]):
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "simulator",
        "--order-url", stack.url("OrderService"),
        "--payment-url", stack.url("PaymentService"),
        "--rabbit-url", stack.rabbit_url,
        "--exchange", EXCHANGE,
        "--orders", "100000", "--duration", str(minutes * 60),
        "--concurrency", str(concurrency),
        "--fail-share", "0.1", "--cancel-share", "0.1",
        "--timeout", "300",  # an order caught in an outage must still end, later
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip


async def inject_faults(
    stack: SoakStack, minutes: float, every_s: float, outage_s: float
) -> list[Injected]:
    """A fault every `every_s` (the first after `every_s`), while one still fits in the run."""
    faults, injected, began = rotation(stack), [], time.monotonic()
    number = 1
    while number * every_s + outage_s < minutes * 60:
        await asyncio.sleep(began + number * every_s - time.monotonic())  # the schedule
        fault = faults[(number - 1) % len(faults)]
        say(f"  {number * every_s:5.0f} s: {fault.name} for {outage_s:.0f} s")
        done = await asyncio.to_thread(fault.inject, outage_s)
        injected.append(replace(done, at_s=number * every_s))
        number += 1
    return injected


async def soak(
    stack: SoakStack, minutes: float, every_s: float, outage_s: float, concurrency: int,
    env: dict[str, str],
) -> SoakResult:  # fmt: skip
    result = SoakResult(minutes, concurrency, every_s, outage_s)
    simulator = await simulate(stack, minutes, concurrency, env)
    try:
        output = asyncio.create_task(simulator.communicate())  # read all along
        result.faults = await inject_faults(stack, minutes, every_s, outage_s)
        stdout, _ = await output
    finally:
        if simulator.returncode is None:
            simulator.kill()
            await simulator.wait()
    result.returncode = -1 if simulator.returncode is None else simulator.returncode
    result.output = stdout.decode()
    result.dead_letters = checks.dead_letters(stack)
    result.server_errors = checks.server_errors(stack)
    result.outbox_waiting = checks.outbox_waiting(stack)
    result.stored, result.per_minute = await checks.orders_per_minute(stack)
    return result
