"""The workload's settings, what one run records, and the steps of an order's life."""

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from OrderService.business.state_machine import HAPPY_PATH, OrderStatus
from servicekit.contracts import OUTSIDE_REPORTS, Product

POLL_S = 0.1  # the client reads the order (and the payment) every 100 ms while it waits
RANK = {status.value: rank for rank, status in enumerate(HAPPY_PATH)}
MENU = [product.value for product in Product]
# After driverAvailable OrderService books the kitchen by itself: the restaurant reports
# cookingMeal only once the order is cookingScheduled (as the simulator plays it).
WAIT_AFTER = {"driverAvailable": OrderStatus.COOKING_SCHEDULED.value}
STEPS = [(key, WAIT_AFTER.get(status, status)) for status, key in OUTSIDE_REPORTS.items()]
# What each order's life is timed by: from the previous step until the order showed this one.
STEP_NAMES = ["payment pending", "deliveryScheduled", *(wait_for for _, wait_for in STEPS)]

Samples = list[tuple[float, float]]  # (seconds since the run began, value)


@dataclass(frozen=True)
class WorkloadConfig:
    """What to run: size, concurrency, repetitions, database preloading, bounds."""

    orders: int = 300
    concurrency: int = 50
    runs: int = 3
    preload: int = 0
    stored: tuple[int, ...] = ()
    order_timeout_s: float = 60.0
    run_timeout_s: float = 900.0
    seed: int = 1
    remove_preloaded: bool = False


@dataclass
class RunRecord:
    """Everything one run measured, in seconds since it began."""

    label: str
    orders: int
    concurrency: int
    stored_before: int | None
    began: float = field(default_factory=time.perf_counter)
    wall_s: float = 0.0
    cpu_s: float = 0.0  # CPU of this process (all threads) during the run
    requests: defaultdict[str, Samples] = field(default_factory=lambda: defaultdict(list))
    steps: defaultdict[str, Samples] = field(default_factory=lambda: defaultdict(list))
    completed: Samples = field(default_factory=list)  # (when done, whole life in seconds)
    failures: Counter[str] = field(default_factory=Counter)
    http_errors: Counter[str] = field(default_factory=Counter)

    def now(self) -> float:
        """Seconds since the run began."""
        return time.perf_counter() - self.began

    def latencies(self, kind: str) -> list[float]:
        """Every latency (ms) of one kind of request."""
        return [ms for _, ms in self.requests[kind]]

    def add(self, samples: Samples, started: float) -> None:
        """Append (start since the run began, ms since `started`) to `samples`."""
        samples.append((started - self.began, (time.perf_counter() - started) * 1000))


class StackUnavailable(Exception):
    """A service of the stack does not answer."""


class OrderFailed(Exception):
    """An order left the happy path or a call was refused."""
