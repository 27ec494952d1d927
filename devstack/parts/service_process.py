"""Our own services, each run as `python -m <Service>`."""

import os
from dataclasses import dataclass, field

from devstack.parts.mongodb import mongo_server_kind
from devstack.parts.part import ROOT, VENV_BIN, Part, http_ok


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
        # Spans go beside the logs of the stack that runs the service (a test's own, or .state).
        spans_dir = str(self.log_file.parent)
        return {
            "PYTHONPATH": str(ROOT),
            "PORT": str(self.port),
            "SPANS_DIR": spans_dir,
            **self.extra_env,
        }

    def ready(self) -> bool:
        return http_ok(f"http://127.0.0.1:{self.port}/health/live")

    def where(self) -> str:
        return f"http://127.0.0.1:{self.port}/docs"


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
