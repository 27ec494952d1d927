"""Prometheus (Debian's package), scraping our services and RabbitMQ, with our rules and alerts."""

import os
import signal
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

from devstack import process
from devstack.parts.part import ROOT, Part, http_ok
from devstack.parts.service_process import SERVICES

PROMETHEUS_DIR = ROOT / "prometheus"  # the config template, rules.yml and alerts.yml


def render_config(services: dict[str, int], rabbitmq_port: int, rules_dir: Path) -> str:
    """prometheus/prometheus.yml with the ports of each service (job) and of RabbitMQ's metrics."""
    template = Template((PROMETHEUS_DIR / "prometheus.yml").read_text())
    ports = {f"{name}_port": str(port) for name, port in services.items()}
    return template.substitute(ports, rabbitmq_port=rabbitmq_port, rules_dir=rules_dir)


@dataclass
class Prometheus(Part):
    """Prometheus with its configuration and data under `data_dir`, rules read from prometheus/."""

    name: str = "prometheus"
    port: int = 9090
    services: dict[str, int] = field(default_factory=lambda: dict(SERVICES))
    rabbitmq_port: int = 15692
    retention: str = "7d"

    @property
    def config_file(self) -> Path:
        return self.data_dir / "prometheus.yml"

    def prepare(self) -> None:
        super().prepare()
        config = render_config(self.services, self.rabbitmq_port, PROMETHEUS_DIR)
        self.config_file.write_text(config)

    def refresh(self) -> None:
        """Rewrite the configuration and have ours reload it, with any edited rules and alerts."""
        self.prepare()
        pid = process.read_pid(self.pid_file)
        if pid:
            os.kill(pid, signal.SIGHUP)

    def command(self) -> list[str]:
        return [
            "/usr/bin/prometheus",
            f"--config.file={self.config_file}",
            f"--storage.tsdb.path={self.data_dir / 'tsdb'}",
            f"--storage.tsdb.retention.time={self.retention}",
            f"--web.listen-address=127.0.0.1:{self.port}",
        ]

    def ready(self) -> bool:
        return http_ok(f"http://127.0.0.1:{self.port}/-/ready")

    def where(self) -> str:
        return f"http://127.0.0.1:{self.port}"
