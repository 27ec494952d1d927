"""The MongoDB-wire-compatible server: SecantusDB's Rust server, or its Python one."""

import os
from dataclasses import dataclass, field
from pathlib import Path

from devstack.parts.part import ROOT, VENV_BIN, Part, port_open

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
