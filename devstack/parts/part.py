"""What every server of the stack is: a command, an environment, a port and a readiness probe."""

import os
import socket
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
STATE = Path(os.environ.get("DEVSTACK_STATE", ROOT / ".state"))
VENV_BIN = ROOT / ".venv" / "bin"


def port_open(port: int, host: str = "127.0.0.1", timeout_s: float = 0.3) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def free_port() -> int:
    """A TCP port nobody listens on now (for a server of a test's or a benchmark's own)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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

    def refresh(self) -> None:
        """Bring a running server we started earlier up to date with what this code expects."""

    def command(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        return {}

    def ready(self) -> bool:
        return port_open(self.port)

    def where(self) -> str:
        return f"127.0.0.1:{self.port}"
