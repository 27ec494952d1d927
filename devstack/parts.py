"""The servers of the local stack: how each one is started and how we know it answers."""

import os
import socket
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE = Path(os.environ.get("DEVSTACK_STATE", ROOT / ".state"))
VENV_BIN = ROOT / ".venv" / "bin"
PRISM = ROOT / "mocks" / "node_modules" / ".bin" / "prism"


def port_open(port: int, host: str = "127.0.0.1", timeout_s: float = 0.3) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def http_ok(url: str, timeout_s: float = 1.0, auth: str | None = None) -> bool:
    request = urllib.request.Request(url)
    if auth:
        request.add_header("Authorization", auth)
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return 200 <= response.status < 300
    except (OSError, ValueError):
        return False


@dataclass
class Part:
    """One server: its command, environment, port and readiness probe."""

    name: str
    port: int
    state: Path = field(default_factory=lambda: STATE)
    start_timeout_s: float = 30.0

    @property
    def log_file(self) -> Path:
        return self.state / "logs" / f"{self.name}.log"

    @property
    def pid_file(self) -> Path:
        return self.state / "run" / f"{self.name}.pid"

    @property
    def data_dir(self) -> Path:
        return self.state / "data" / self.name

    @property
    def marker(self) -> str:
        """A string found in the command line of our process (guards against pid reuse)."""
        return self.command()[0]

    def prepare(self) -> None:
        """Create folders and configuration files before the first start."""
        self.data_dir.mkdir(parents=True, exist_ok=True)

    def command(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        return {}

    def ready(self) -> bool:
        return port_open(self.port)

    def where(self) -> str:
        return f"127.0.0.1:{self.port}"


@dataclass
class Epmd(Part):
    name: str = "epmd"
    port: int = 4369

    def command(self) -> list[str]:
        return ["/usr/bin/epmd", "-address", "127.0.0.1", "-port", str(self.port)]


@dataclass
class RabbitMQ(Part):
    name: str = "rabbitmq"
    port: int = 5672
    management_port: int = 15672
    dist_port: int = 25672
    node_name: str = "rabbit@localhost"
    start_timeout_s: float = 90.0

    def prepare(self) -> None:
        super().prepare()
        home = self.data_dir / "home"
        home.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = 127.0.0.1:{self.port}\n"
            f"management.tcp.ip = 127.0.0.1\n"
            f"management.tcp.port = {self.management_port}\n"
            "loopback_users.guest = true\n"
        )
        (self.data_dir / "rabbitmq-env.conf").write_text("")
        (self.data_dir / "enabled_plugins").write_text("[rabbitmq_management].\n")

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

    def ready(self) -> bool:
        # The AMQP listener opens only at the end of the boot; management a moment later.
        return port_open(self.port) and http_ok(
            f"http://127.0.0.1:{self.management_port}/api/overview",
            auth="Basic Z3Vlc3Q6Z3Vlc3Q=",  # guest:guest, the loopback-only default user
        )

    def where(self) -> str:
        return f"amqp://127.0.0.1:{self.port}, management http://127.0.0.1:{self.management_port}"


@dataclass
class Redis(Part):
    name: str = "redis"
    port: int = 6379

    def command(self) -> list[str]:
        return [
            "/usr/bin/redis-server",
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--dir", str(self.data_dir),
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
        ]  # fmt: skip

    def ready(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.3) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


SECANTUS_RS = ROOT / ".tools" / "secantus" / "bin" / "secantusd-rs"


def mongo_server_kind() -> str:
    """`rust` (secantusd-rs, built by scripts/provision.sh) unless MONGO_SERVER=python or it is
    not built on this machine (no cargo): then SecantusDB's Python server."""
    wanted = os.environ.get("MONGO_SERVER", "rust")
    if wanted not in ("rust", "python"):
        raise ValueError(f"MONGO_SERVER must be rust or python, not {wanted!r}")
    return "rust" if wanted == "rust" and SECANTUS_RS.exists() else "python"


@dataclass
class MongoServer(Part):
    """SecantusDB, the MongoDB-wire-compatible server used locally and in CI."""

    name: str = "mongodb"
    port: int = 27017
    kind: str = field(default_factory=mongo_server_kind)

    @property
    def data_dir(self) -> Path:
        """Each server keeps its own files (their WiredTiger stores are not interchangeable)."""
        return self.state / "data" / f"{self.name}-{self.kind}"

    def command(self) -> list[str]:
        common = ["--host", "127.0.0.1", "--port", str(self.port)]
        common += ["--storage-path", str(self.data_dir), "--log-level", "WARNING"]
        if self.kind == "rust":
            # A 1 GB cache is plenty here; a 32 MB log file keeps an empty store small.
            return [str(SECANTUS_RS), *common, "--cache-size", "1G", "--log-file-max", "32MB"]
        return [str(VENV_BIN / "secantusd-py"), *common]

    def ready(self) -> bool:
        if not port_open(self.port):
            return False
        from pymongo import MongoClient

        client: MongoClient = MongoClient(
            f"mongodb://127.0.0.1:{self.port}", serverSelectionTimeoutMS=500
        )
        try:
            client.admin.command("ping")
            return True
        except Exception:
            return False
        finally:
            client.close()


@dataclass
class Prism(Part):
    """A Prism mock server for one spec in mocks/, validating our requests against it."""

    spec: str = ""

    def command(self) -> list[str]:
        return [
            str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(self.port),
            str(ROOT / "mocks" / self.spec),
        ]  # fmt: skip

    @property
    def marker(self) -> str:
        return "prism"

    def ready(self) -> bool:
        return http_ok(f"http://127.0.0.1:{self.port}/health")

    def where(self) -> str:
        return f"http://127.0.0.1:{self.port} ({self.spec})"


@dataclass
class ServiceProcess(Part):
    """One of our FastAPI services, run as `python -m <module>` with its settings in `extra_env`."""

    module: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)

    def command(self) -> list[str]:
        return [str(VENV_BIN / "python"), "-m", self.module]

    @property
    def marker(self) -> str:
        return self.module

    def env(self) -> dict[str, str]:
        return {"PYTHONPATH": str(ROOT), "PORT": str(self.port), **self.extra_env}

    def ready(self) -> bool:
        return http_ok(f"http://127.0.0.1:{self.port}/health/live")

    def where(self) -> str:
        return f"http://127.0.0.1:{self.port}/docs"


MOCKS = {
    "CustomerService": ("customers.yaml", 8002),
    "DeliveryService": ("deliveries.yaml", 8003),
    "KitchenService": ("kitchen.yaml", 8004),
    "CreditCardService": ("creditcard.yaml", 8006),
}


SERVICES = {"OrderService": 8000, "PaymentService": 8001, "DistanceService": 8005}


def services() -> list[Part]:
    """Our services with their settings from .env (the repository root is their working dir)."""
    local_python_mongo = not os.environ.get("MONGO_URL") and mongo_server_kind() == "python"
    extra_env = {"MONGO_RETRY_WRITES": "false"} if local_python_mongo else {}
    return [
        ServiceProcess(name=name, port=port, module=name, extra_env=extra_env)
        for name, port in SERVICES.items()
        if (ROOT / name / "__main__.py").exists()
    ]


def infrastructure(with_mongo: bool = True) -> list[Part]:
    """The servers in start order (stopped in reverse)."""
    parts: list[Part] = [Epmd(), RabbitMQ(), Redis()]
    if with_mongo:
        parts.append(MongoServer())
    for name, (spec, port) in MOCKS.items():
        parts.append(Prism(name=f"prism-{name}", port=port, spec=spec))
    return parts
