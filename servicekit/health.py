"""Health checks: each resource probed concurrently, each with a short timeout."""

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

Probe = Callable[[], Awaitable[Any]]


@dataclass(frozen=True)
class HealthCheck:
    """One resource to probe: the probe raises (or times out) when the resource is not usable."""

    name: str
    probe: Probe
    critical: bool = True  # a failing non-critical check shows as "degraded", not "fail"


async def _run_one(check: HealthCheck, timeout_s: float) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(check.probe(), timeout_s)
    except TimeoutError:
        status, error = "fail", f"no answer within {timeout_s:g} s"
    except Exception as exc:
        status, error = "fail", f"{type(exc).__name__}: {exc}"[:300]
    else:
        status, error = "pass", None
    entry: dict[str, Any] = {
        "status": status,
        "critical": check.critical,
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    if error:
        entry["error"] = error
    return entry


async def run_checks(checks: Sequence[HealthCheck], timeout_s: float) -> dict[str, Any]:
    """Probe every resource at once; overall pass, degraded (a non-critical one failed) or fail."""
    results = await asyncio.gather(*(_run_one(check, timeout_s) for check in checks))
    entries = {check.name: result for check, result in zip(checks, results, strict=True)}
    failed = [check for check in checks if entries[check.name]["status"] != "pass"]
    if any(check.critical for check in failed):
        status = "fail"
    elif failed:
        status = "degraded"
    else:
        status = "pass"
    return {"status": status, "checks": entries}


def expect(condition: Callable[[], bool], failure: str) -> Probe:
    """A probe of an in-process condition (consumer running, connection open)."""

    async def probe() -> None:
        if not condition():
            raise RuntimeError(failure)

    return probe


def http_health_probe(
    http: httpx.AsyncClient, base_url: Callable[[], Awaitable[str]], path: str = "/health/live"
) -> Probe:
    """A probe of another service's health path (its liveness, not its full report: no cascades)."""

    async def probe() -> None:
        response = await http.get(await base_url() + path)
        response.raise_for_status()

    return probe
