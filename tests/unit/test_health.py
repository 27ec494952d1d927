"""Health checks run at once, each bounded by the timeout, and summarise to pass/degraded/fail."""

import asyncio
import time

from servicekit.health import HealthCheck, expect, run_checks


async def ok() -> None:
    return None


async def broken() -> None:
    raise ConnectionError("refused")


async def hangs() -> None:
    await asyncio.sleep(30)


async def test_all_passing_is_pass() -> None:
    report = await run_checks([HealthCheck("a", ok), HealthCheck("b", ok)], timeout_s=1)
    assert report["status"] == "pass"
    assert set(report["checks"]) == {"a", "b"}


async def test_checks_run_concurrently_and_a_hung_one_times_out() -> None:
    started = time.perf_counter()
    report = await run_checks(
        [HealthCheck("h1", hangs), HealthCheck("h2", hangs), HealthCheck("ok", ok)], timeout_s=0.2
    )
    assert time.perf_counter() - started < 1.0
    assert report["status"] == "fail"
    assert report["checks"]["h1"]["error"] == "no answer within 0.2 s"
    assert report["checks"]["ok"]["status"] == "pass"


async def test_failing_non_critical_check_is_degraded_and_critical_is_fail() -> None:
    degraded = await run_checks([HealthCheck("redis", broken, critical=False)], timeout_s=1)
    assert degraded["status"] == "degraded"
    assert "ConnectionError: refused" in degraded["checks"]["redis"]["error"]
    failed = await run_checks([HealthCheck("mongodb", broken)], timeout_s=1)
    assert failed["status"] == "fail"


async def test_expect_probes_an_in_process_condition() -> None:
    running = False
    report = await run_checks(
        [HealthCheck("consumer", expect(lambda: running, "consumer stopped"))], timeout_s=1
    )
    assert report["checks"]["consumer"]["error"] == "RuntimeError: consumer stopped"
