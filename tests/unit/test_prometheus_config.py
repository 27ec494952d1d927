"""The Prometheus configuration devstack writes, and the rules and alerts in prometheus/, are what
Prometheus accepts (checked with promtool, which Debian's `prometheus` package installs)."""

import shutil
import subprocess
from pathlib import Path

import pytest

from devstack.parts import PROMETHEUS_DIR, SERVICES, Prometheus

PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool not installed")


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PROMTOOL), *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_the_written_config_scrapes_each_service_and_rabbitmq_every_5_s(tmp_path: Path) -> None:
    ports = {**SERVICES, "OrderService": 18000}
    part = Prometheus(state=tmp_path, services=ports, rabbitmq_port=25692)
    part.prepare()
    config = part.config_file.read_text()
    assert "${" not in config
    assert "scrape_interval: 5s" in config
    for job, port in ports.items():
        scraped = f'job_name: {job}\n    static_configs:\n      - targets: ["127.0.0.1:{port}"]'
        assert scraped in config
    assert config.count('targets: ["127.0.0.1:25692"]') == 2  # node-wide and per queue
    assert "metrics_path: /metrics/detailed" in config
    assert f"- {PROMETHEUS_DIR}/alerts.yml" in config


def test_a_service_missing_from_the_ports_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="DistanceService_port"):
        Prometheus(state=tmp_path, services={"OrderService": 1, "PaymentService": 2}).prepare()


@needs_promtool
def test_the_config_make_up_writes_passes_promtool(tmp_path: Path) -> None:
    part = Prometheus(state=tmp_path, services=dict(SERVICES))
    part.prepare()
    checked = promtool("check", "config", str(part.config_file))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 2 rule files found" in checked.stdout


@needs_promtool
def test_the_rules_and_alerts_pass_promtool() -> None:
    checked = promtool(
        "check", "rules", str(PROMETHEUS_DIR / "rules.yml"), str(PROMETHEUS_DIR / "alerts.yml")
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


@needs_promtool
def test_the_alerts_fire_when_and_only_when_the_rule_tests_expect() -> None:
    tested = promtool("test", "rules", str(PROMETHEUS_DIR / "rules_test.yml"))
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout
