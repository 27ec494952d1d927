"""The Redis server the services cache in."""

import socket
from dataclasses import dataclass

from devstack.parts.part import Part


@dataclass
class Redis(Part):
    """Redis as a cache, empty after every start; `persistent` keeps its data across restarts
    (an append-only file, as a Redis run with persistence does: tests of stale copies)."""

    name: str = "redis"
    port: int = 6379
    persistent: bool = False

    def command(self) -> list[str]:
        return [
            "/usr/bin/redis-server",
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--dir", str(self.data_dir),
            "--save", "",
            "--appendonly", "yes" if self.persistent else "no",
            "--daemonize", "no",
        ]  # fmt: skip

    def ready(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.3) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False
