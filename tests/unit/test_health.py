"""Health checks run at once, each bounded by the timeout, and summarise to pass/degraded/fail."""

import asyncio

from servicekit.health import HealthCheck, expect, run_checks


async def ok() -> None:
    return None


async def broken() -> None:
    raise ConnectionError("refused")


async def test_all_passing_is_pass() -> None:
    report = await run_checks([HealthCheck("a", ok), HealthCheck("b", ok)], timeout_s=1)
    assert report["status"] == "pass"
    assert set(report["checks"]) == {"a", "b"}


async def test_checks_run_concurrently() -> None:
    # Each probe answers only once the other one has started: run one after the other, the
    # first would wait until the timeout and fail.
    a_started, b_started = asyncio.Event(), asyncio.Event()

    async def a() -> None:
        a_started.set()
        await b_started.wait()

    async def b() -> None:
        b_started.set()
        await a_started.wait()

    report = await run_checks([HealthCheck("a", a), HealthCheck("b", b)], timeout_s=10)
    assert report["status"] == "pass", report


async def test_a_hung_check_is_cut_off_at_the_timeout_and_reported() -> None:
    cancelled: list[str] = []

    async def hangs_for_ever() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append("h")
            raise

    checks = [HealthCheck("h", hangs_for_ever), HealthCheck("ok", ok)]
    # The outer bound only keeps a broken timeout from hanging the test run.
    report = await asyncio.wait_for(run_checks(checks, timeout_s=0.2), 60)
    assert report["status"] == "fail"
    assert report["checks"]["h"]["status"] == "fail"
    assert report["checks"]["h"]["error"] == "no answer within 0.2 s"
    assert cancelled == ["h"]  # the probe was stopped, not left running
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
