"""RabbitMQ and the Erlang port mapper it needs."""

import json
import os
import subprocess
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devstack.parts.part import Part, http_ok, port_open

PLUGINS = ("rabbitmq_management", "rabbitmq_prometheus")
GUEST = "Basic Z3Vlc3Q6Z3Vlc3Q="  # guest:guest, the loopback-only default user


@dataclass
class Epmd(Part):
    """Erlang's port mapper: the RabbitMQ node registers its distribution port with it."""

    name: str = "epmd"
    port: int = 4369

    def command(self) -> list[str]:
        return ["/usr/bin/epmd", "-address", "127.0.0.1", "-port", str(self.port)]


@dataclass
class RabbitMQ(Part):
    """The broker node, its management API on `management_port`, its metrics on `prometheus_port`
    (`/metrics`; per queue `/metrics/detailed`), its files under `data_dir`.

    In a cluster (see `rabbitmq_cluster`), `cluster` names every node in start order and `cookie`
    is the Erlang cookie they share: a blank node joins the others at its first boot (classic
    config peer discovery), and it is ready once every node up to itself runs in the cluster.
    """

    name: str = "rabbitmq"
    port: int = 5672
    management_port: int = 15672
    prometheus_port: int = 15692
    dist_port: int = 25672
    node_name: str = "rabbit@localhost"
    start_timeout_s: float = 90.0
    cluster: tuple[str, ...] = ()
    cookie: str = ""

    @property
    def cookie_file(self) -> Path:
        return self.data_dir / "home" / ".erlang.cookie"

    def prepare(self) -> None:
        super().prepare()
        home = self.data_dir / "home"
        home.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = 127.0.0.1:{self.port}\n"
            f"management.tcp.ip = 127.0.0.1\n"
            f"management.tcp.port = {self.management_port}\n"
            "loopback_users.guest = true\n"
            "prometheus.tcp.ip = 127.0.0.1\n"
            f"prometheus.tcp.port = {self.prometheus_port}\n" + self._cluster_config()
        )
        if self.cookie:
            self.cookie_file.unlink(missing_ok=True)
            self.cookie_file.write_text(self.cookie)
            self.cookie_file.chmod(0o400)  # Erlang refuses a cookie others can read
        (self.data_dir / "rabbitmq-env.conf").write_text("")
        (self.data_dir / "enabled_plugins").write_text(f"[{','.join(PLUGINS)}].\n")

    def refresh(self) -> None:
        """A node we started before its metrics were wanted gets its Prometheus plugin now
        (enabled online, no restart; it listens on every interface until the next start)."""
        if port_open(self.prometheus_port):
            return
        subprocess.run(
            ["/usr/lib/rabbitmq/bin/rabbitmq-plugins", "enable", *PLUGINS],
            env={**os.environ, **self.env()},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
            check=False,
        )

    def command(self) -> list[str]:
        return ["/usr/lib/rabbitmq/bin/rabbitmq-server"]

    @property
    def marker(self) -> str:
        return "rabbitmq"

    def env(self) -> dict[str, str]:
        data = self.data_dir
        return {
            "HOME": str(data / "home"),
            "RABBITMQ_NODENAME": self.node_name,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(data / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.state / "logs" / f"{self.name}-server"),
            "RABBITMQ_PID_FILE": str(data / "beam.pid"),
            "RABBITMQ_CONFIG_FILE": str(data / "rabbitmq.conf"),
            "RABBITMQ_CONF_ENV_FILE": str(data / "rabbitmq-env.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(data / "enabled_plugins"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        }

    def _cluster_config(self) -> str:
        if not self.cluster:
            return ""
        lines = ["cluster_formation.peer_discovery_backend = classic_config"]
        lines += [
            f"cluster_formation.classic_config.nodes.{number} = {node}"
            for number, node in enumerate(self.cluster, start=1)
        ]
        return "\n".join(lines) + "\n"

    def ready(self) -> bool:
        # The AMQP listener opens only at the end of the boot; management a moment later.
        if not port_open(self.port):
            return False
        if not self.cluster:
            return http_ok(f"http://127.0.0.1:{self.management_port}/api/overview", auth=GUEST)
        ahead = self.cluster[: self.cluster.index(self.node_name) + 1]
        return set(ahead) <= set(self.running_nodes())

    def management(self, path: str, timeout_s: float = 2.0) -> Any:
        """GET `/api/<path>` of this node's management API, decoded (OSError, ValueError when
        it does not answer)."""
        url = f"http://127.0.0.1:{self.management_port}/api/{path}"
        request = urllib.request.Request(url, headers={"Authorization": GUEST})
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return json.load(response)

    def running_nodes(self) -> list[str]:
        """The cluster's nodes that run, as this node's management API sees them ([] if it
        does not answer)."""
        try:
            nodes = self.management("nodes")
        except (OSError, ValueError):
            return []
        return [node["name"] for node in nodes if node.get("running")]

    def where(self) -> str:
        return f"amqp://127.0.0.1:{self.port}, management http://127.0.0.1:{self.management_port}"
